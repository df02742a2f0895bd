package main

// Version of every built-in form. Bump it when a form changes: answers keep
// the version they were given with, so a changed form is a new version.
const version = "2026.2"

// Forms returns the built-in form definitions.
func Forms() []Def {
	return []Def{vulnerability(), needs(), skills(), family(), protection(), rss()}
}

var (
	yesno = List{"yesno", [][3]string{
		{"yes", "Yes", "হ্যাঁ"},
		{"no", "No", "না"},
	}}
	yesnorefused = List{"yesnorefused", [][3]string{
		{"yes", "Yes", "হ্যাঁ"},
		{"no", "No", "না"},
		{"refused", "Prefer not to say", "বলতে চাই না"},
	}}
	yesnodk = List{"yesnodk", [][3]string{
		{"yes", "Yes", "হ্যাঁ"},
		{"no", "No", "না"},
		{"dont_know", "Don't know", "জানি না"},
	}}
)

const (
	futureEn = "The date cannot be in the future."
	futureBn = "তারিখ ভবিষ্যতের হতে পারে না।"
)

func vulnerability() Def {
	return Def{
		ID: "vulnerability_screening", Version: version,
		TitleEn: "Rapid vulnerability screening", TitleBn: "দ্রুত ঝুঁকি যাচাই",
		Survey: []Q{
			q("note", "intro", "Ask every question. Answers that show an urgent need raise a flag on the case.",
				"প্রতিটি প্রশ্ন জিজ্ঞাসা করুন। জরুরি প্রয়োজন বোঝায় এমন উত্তরে কেসে সতর্কসংকেত দেখা যাবে।"),
			q("date", "screening_date", "Date of screening", "যাচাইয়ের তারিখ").req().con(". <= today()", futureEn, futureBn),
			q("select_one sex", "sex", "Sex", "লিঙ্গ").req(),
			q("integer", "age", "Age (years)", "বয়স (বছর)").req().con(". >= 0 and . <= 110", "Age must be between 0 and 110.", "বয়স ০ থেকে ১১০-এর মধ্যে হতে হবে।"),
			q("select_one yesno", "travelling_alone", "Did the child return without a parent or guardian?", "শিশুটি কি মা-বাবা বা অভিভাবক ছাড়া ফিরেছে?").req().rel("${age} < 18"),
			q("select_one yesno", "pregnant", "Are you pregnant or breastfeeding?", "আপনি কি গর্ভবতী, বা সন্তানকে বুকের দুধ খাওয়াচ্ছেন?").rel("${sex} = 'female' and ${age} >= 12 and ${age} <= 55"),
			q("select_one yesno", "disability", "Do you have difficulty seeing, hearing, walking, remembering, caring for yourself or communicating?",
				"দেখতে, শুনতে, হাঁটতে, মনে রাখতে, নিজের যত্ন নিতে বা যোগাযোগ করতে আপনার কি কোনো অসুবিধা হয়?").req(),
			q("select_one yesno", "chronic_illness", "Do you have a serious or long-term illness or injury?", "আপনার কি কোনো গুরুতর বা দীর্ঘমেয়াদি অসুস্থতা বা আঘাত আছে?").req(),
			q("select_one yesno", "needs_medical_now", "Do you need medical care today?", "আপনার কি আজই চিকিৎসা প্রয়োজন?").req(),
			q("select_one yesno", "shelter_tonight", "Do you have a safe place to stay tonight?", "আজ রাতে থাকার জন্য আপনার কি কোনো নিরাপদ জায়গা আছে?").req(),
			q("select_one yesno", "food_money", "Do you have money or food for the coming week?", "আগামী এক সপ্তাহের জন্য আপনার কাছে কি টাকা বা খাবার আছে?").req(),
			q("select_one yesno", "family_contact", "Are you in contact with your family?", "আপনি কি আপনার পরিবারের সঙ্গে যোগাযোগ রাখছেন?").req(),
			q("select_one yesnodk", "family_will_receive", "Will your family take you back?", "আপনার পরিবার কি আপনাকে ফিরিয়ে নেবে?").rel("${family_contact} = 'yes'"),
			q("integer", "dependants", "How many people depend on you financially?", "আর্থিকভাবে কতজন মানুষ আপনার ওপর নির্ভরশীল?").con(". >= 0 and . <= 30", "Enter a number from 0 to 30.", "০ থেকে ৩০-এর মধ্যে একটি সংখ্যা লিখুন।"),
			flagQ("flag_unaccompanied_minor", "urgent", "${age} < 18 and ${travelling_alone} = 'yes'", "Unaccompanied child", "সঙ্গীহীন শিশু"),
			flagQ("flag_medical_urgent", "urgent", "${needs_medical_now} = 'yes'", "Urgent medical need", "জরুরি চিকিৎসা প্রয়োজন"),
			flagQ("flag_no_shelter", "high", "${shelter_tonight} = 'no'", "No safe shelter tonight", "আজ রাতে নিরাপদ আশ্রয় নেই"),
			flagQ("flag_destitute", "medium", "${food_money} = 'no'", "No money or food for the coming week", "আগামী সপ্তাহের জন্য টাকা বা খাবার নেই"),
			flagQ("flag_pregnant", "medium", "${pregnant} = 'yes'", "Pregnant or breastfeeding", "গর্ভবতী বা দুগ্ধদানকারী মা"),
			flagQ("flag_family_rejection", "medium", "${family_contact} = 'no' or ${family_will_receive} = 'no'", "No family to return to", "ফিরে যাওয়ার মতো পরিবার নেই"),
		},
		Lists: []List{yesno, yesnodk, {"sex", [][3]string{
			{"female", "Female", "নারী"},
			{"male", "Male", "পুরুষ"},
			{"other", "Other", "অন্যান্য"},
		}}},
	}
}

func needs() Def {
	return Def{
		ID: "needs_assessment", Version: version,
		TitleEn: "Needs assessment", TitleBn: "চাহিদা নিরূপণ",
		Survey: []Q{
			q("date", "assessment_date", "Date of assessment", "নিরূপণের তারিখ").req().con(". <= today()", futureEn, futureBn),
			q("select_multiple needs", "priority_needs", "What do you need most now? (choose all that apply)", "এখন আপনার সবচেয়ে বেশি কী প্রয়োজন? (প্রযোজ্য সবগুলো বেছে নিন)").req().
				con("not(selected(., 'none') and count-selected(.) > 1)", "“None” cannot be combined with other needs.", "“কোনোটিই নয়” অন্য চাহিদার সঙ্গে একসাথে বেছে নেওয়া যাবে না।"),
			q("text", "other_need", "What other need?", "অন্য কোন প্রয়োজন?").req().rel("selected(${priority_needs}, 'other')"),
			q("text", "health_needs", "Describe the health need", "স্বাস্থ্যসেবার প্রয়োজনটি বর্ণনা করুন").rel("selected(${priority_needs}, 'health')"),
			q("select_one housing", "housing_situation", "Where do you live now?", "আপনি এখন কোথায় থাকেন?").req(),
			q("integer", "monthly_income", "Household income last month (taka)", "গত মাসে পরিবারের মোট আয় (টাকা)").con(". >= 0", "Enter 0 or more.", "০ বা তার বেশি লিখুন।"),
			q("integer", "debt_amount", "Total debt still owed (taka)", "এখনও পরিশোধ বাকি মোট ঋণ (টাকা)").req().con(". >= 0", "Enter 0 or more.", "০ বা তার বেশি লিখুন।").
				hint("Include loans taken to pay for migration. Enter 0 if none.", "অভিবাসনের খরচ মেটাতে নেওয়া ঋণও ধরুন। ঋণ না থাকলে ০ লিখুন।"),
			q("select_multiple lenders", "debt_from", "Who is the money owed to?", "কার কাছে ঋণ আছে?").req().rel("${debt_amount} > 0"),
			q("select_one support", "preferred_support", "Which support would help you most?", "কোন সহায়তা আপনার সবচেয়ে বেশি কাজে লাগবে?").req(),
			q("text", "notes", "Case worker notes", "কেস কর্মীর মন্তব্য"),
			flagQ("flag_no_housing", "high", "${housing_situation} = 'none'", "No place to live", "থাকার জায়গা নেই"),
			flagQ("flag_moneylender_debt", "medium", "selected(${debt_from}, 'moneylender') or selected(${debt_from}, 'recruiter')",
				"Debt to a moneylender or recruiter", "মহাজন বা দালালের কাছে ঋণ"),
		},
		Lists: []List{
			{"needs", [][3]string{
				{"food", "Food", "খাদ্য"},
				{"shelter", "Shelter", "বাসস্থান"},
				{"health", "Health care", "স্বাস্থ্যসেবা"},
				{"psychosocial", "Psychosocial support", "মনোসামাজিক সহায়তা"},
				{"employment", "A job", "চাকরি বা কাজ"},
				{"training", "Skills training", "দক্ষতা প্রশিক্ষণ"},
				{"business", "Help to start a business", "ব্যবসা শুরুর সহায়তা"},
				{"legal", "Legal help", "আইনি সহায়তা"},
				{"documentation", "Documents (ID, passport)", "কাগজপত্র (পরিচয়পত্র, পাসপোর্ট)"},
				{"debt", "Debt advice", "ঋণ বিষয়ে পরামর্শ"},
				{"education", "Schooling for children", "সন্তানদের পড়াশোনা"},
				{"other", "Other", "অন্যান্য"},
				{"none", "None", "কোনোটিই নয়"},
			}},
			{"housing", [][3]string{
				{"own", "In my own home", "নিজের বাড়িতে"},
				{"family", "With family or relatives", "পরিবার বা আত্মীয়দের সঙ্গে"},
				{"rented", "In a rented home", "ভাড়া বাড়িতে"},
				{"temporary", "In a temporary shelter", "অস্থায়ী আশ্রয়ে"},
				{"none", "Nowhere stable", "স্থায়ী কোনো জায়গা নেই"},
			}},
			{"lenders", [][3]string{
				{"family", "Family or friends", "পরিবার বা বন্ধুবান্ধব"},
				{"moneylender", "A moneylender", "মহাজন"},
				{"ngo", "An NGO or microfinance institution", "এনজিও বা ক্ষুদ্রঋণ প্রতিষ্ঠান"},
				{"bank", "A bank", "ব্যাংক"},
				{"recruiter", "A recruiting agent or broker", "রিক্রুটিং এজেন্ট বা দালাল"},
				{"other", "Other", "অন্যান্য"},
			}},
			{"support", [][3]string{
				{"job_placement", "Help finding a job", "চাকরি খুঁজে পেতে সহায়তা"},
				{"training", "Training", "প্রশিক্ষণ"},
				{"business_grant", "A grant to start a business", "ব্যবসা শুরুর অনুদান"},
				{"counselling", "Counselling", "মনোসামাজিক পরামর্শ"},
				{"cash", "Cash assistance", "নগদ সহায়তা"},
			}},
		},
	}
}

func skills() Def {
	const iscoEn, iscoBn = "Enter a 4-digit ISCO-08 code.", "৪ অঙ্কের ISCO-08 কোড লিখুন।"
	const yearsEn, yearsBn = "Enter years from 0 to 50.", "০ থেকে ৫০-এর মধ্যে বছর লিখুন।"
	return Def{
		ID: "skills_assessment", Version: version,
		TitleEn: "Skills assessment", TitleBn: "দক্ষতা মূল্যায়ন",
		Survey: []Q{
			q("note", "intro", "These answers are the starting point for recognition of prior learning (RPL).",
				"এই উত্তরগুলো পূর্ব-অভিজ্ঞতার স্বীকৃতির (আরপিএল) প্রথম ধাপ।"),
			q("begin_group", "main_trade", "Main work abroad", "বিদেশে প্রধান কাজ"),
			q("text", "country_worked", "Country where you worked", "যে দেশে কাজ করেছেন").req().app("country"),
			q("text", "main_isco", "Main trade or occupation (ISCO-08 code)", "প্রধান পেশা বা কাজ (ISCO-08 কোড)").req().app("isco").
				hint("Search the occupation list, for example 7112 bricklayer.", "পেশার তালিকায় খুঁজুন, যেমন ৭১১২ রাজমিস্ত্রি।").
				con("string-length(.) = 4 and number(.) >= 0", iscoEn, iscoBn),
			q("text", "main_title", "The job as the person names it", "ব্যক্তির নিজের ভাষায় কাজের নাম"),
			q("decimal", "main_years", "Years of experience in this trade", "এই কাজে কত বছরের অভিজ্ঞতা").req().con(". > 0 and . <= 50", yearsEn, yearsBn),
			q("select_one level", "main_level", "How well do you do this work?", "আপনি এই কাজ কতটা ভালো পারেন?").req(),
			q("select_one yesno", "main_certificate", "Do you have a certificate for this trade?", "এই কাজের কোনো সনদ আপনার আছে কি?").req(),
			q("text", "main_certificate_details", "Certificate name, issuer and year", "সনদের নাম, প্রদানকারী প্রতিষ্ঠান ও বছর").rel("${main_certificate} = 'yes'"),
			endGroup(),
			q("select_one yesno", "has_second_trade", "Did you also work in another trade?", "আপনি কি অন্য কোনো কাজও করেছেন?").req(),
			q("begin_group", "second_trade", "Second trade", "দ্বিতীয় কাজ").rel("${has_second_trade} = 'yes'"),
			q("text", "second_isco", "Second trade (ISCO-08 code)", "দ্বিতীয় কাজ (ISCO-08 কোড)").req().app("isco").con("string-length(.) = 4 and number(.) >= 0", iscoEn, iscoBn),
			q("decimal", "second_years", "Years of experience in the second trade", "দ্বিতীয় কাজে কত বছরের অভিজ্ঞতা").req().con(". > 0 and . <= 50", yearsEn, yearsBn),
			q("select_one yesno", "second_certificate", "Do you have a certificate for it?", "এই কাজের কোনো সনদ আছে কি?"),
			endGroup(),
			q("select_multiple languages", "languages", "Languages you can work in", "যে ভাষায় আপনি কাজ চালাতে পারেন").req(),
			q("text", "other_language", "Which other language?", "অন্য কোন ভাষা?").req().rel("selected(${languages}, 'other')"),
			q("select_one education", "education", "Highest education completed", "সর্বোচ্চ সম্পন্ন শিক্ষা").req(),
			q("select_one yesno", "wants_rpl", "Would you like your skills tested and certified (recognition of prior learning)?",
				"আপনি কি চান আপনার দক্ষতা যাচাই করে সনদ দেওয়া হোক (পূর্ব-অভিজ্ঞতার স্বীকৃতি)?").req(),
			q("text", "training_interest", "Training you are interested in", "যে প্রশিক্ষণে আপনি আগ্রহী"),
		},
		Lists: []List{yesno,
			{"level", [][3]string{
				{"beginner", "Beginner", "শিক্ষানবিশ"},
				{"competent", "Competent", "দক্ষ"},
				{"expert", "Expert", "অভিজ্ঞ বিশেষজ্ঞ"},
				{"supervisor", "Supervised others", "অন্যদের তত্ত্বাবধান করেছি"},
			}},
			{"languages", [][3]string{
				{"bangla", "Bangla", "বাংলা"},
				{"english", "English", "ইংরেজি"},
				{"arabic", "Arabic", "আরবি"},
				{"hindi_urdu", "Hindi or Urdu", "হিন্দি বা উর্দু"},
				{"malay", "Malay", "মালয়"},
				{"other", "Other", "অন্যান্য"},
			}},
			{"education", [][3]string{
				{"none", "No formal schooling", "কোনো প্রাতিষ্ঠানিক শিক্ষা নেই"},
				{"primary", "Primary", "প্রাথমিক"},
				{"secondary", "Secondary (SSC)", "মাধ্যমিক (এসএসসি)"},
				{"higher_secondary", "Higher secondary (HSC)", "উচ্চ মাধ্যমিক (এইচএসসি)"},
				{"tertiary", "Degree or higher", "স্নাতক বা তার বেশি"},
				{"vocational", "Vocational diploma", "কারিগরি ডিপ্লোমা"},
			}},
		},
	}
}

func family() Def {
	return Def{
		ID: "family_assessment", Version: version,
		TitleEn: "Family assessment", TitleBn: "পারিবারিক মূল্যায়ন",
		Survey: []Q{
			q("integer", "household_size", "How many people live in your household, including you?", "আপনিসহ আপনার খানায় কতজন থাকেন?").req().
				con(". >= 1 and . <= 40", "Enter a number from 1 to 40.", "১ থেকে ৪০-এর মধ্যে একটি সংখ্যা লিখুন।"),
			q("select_one marital", "marital_status", "Marital status", "বৈবাহিক অবস্থা").req(),
			q("select_one yesno", "spouse_lives_with", "Does your spouse live with you?", "আপনার স্বামী বা স্ত্রী কি আপনার সঙ্গে থাকেন?").rel("${marital_status} = 'married'"),
			q("integer", "children", "Number of children", "সন্তানের সংখ্যা").req().con(". >= 0 and . <= 20", "Enter a number from 0 to 20.", "০ থেকে ২০-এর মধ্যে একটি সংখ্যা লিখুন।"),
			q("integer", "children_school_age", "How many of them are of school age (6–17)?", "তাদের মধ্যে কতজন স্কুলে যাওয়ার বয়সী (৬–১৭ বছর)?").req().rel("${children} > 0").
				con(". >= 0 and . <= ${children}", "Cannot be more than the number of children.", "সন্তানের মোট সংখ্যার চেয়ে বেশি হতে পারে না।"),
			q("integer", "children_in_school", "How many of them go to school?", "তাদের মধ্যে কতজন স্কুলে যায়?").req().rel("${children_school_age} > 0").
				con(". >= 0 and . <= ${children_school_age}", "Cannot be more than the children of school age.", "স্কুলে যাওয়ার বয়সী শিশুর সংখ্যার চেয়ে বেশি হতে পারে না।"),
			q("select_one reaction", "family_reaction", "How has your family reacted to your return?", "আপনার ফিরে আসায় পরিবার কেমন প্রতিক্রিয়া দেখিয়েছে?").req(),
			q("select_one yesno", "family_expects_money", "Does your family expect you to repay migration costs or to send money?",
				"আপনার পরিবার কি আশা করে যে আপনি অভিবাসনের খরচ শোধ করবেন বা টাকা দেবেন?"),
			q("select_one yesnorefused", "family_conflict", "Is there serious conflict or violence in the household?", "আপনার খানায় কি গুরুতর কলহ বা সহিংসতা আছে?").req(),
			q("select_one yesno", "main_earner", "Are you the main earner of the household?", "আপনি কি খানার প্রধান উপার্জনকারী?").req(),
			flagQ("flag_family_violence", "high", "${family_conflict} = 'yes'", "Conflict or violence in the household", "পরিবারে কলহ বা সহিংসতা"),
			flagQ("flag_family_rejection", "medium", "${family_reaction} = 'hostile'", "Family hostile to the return", "ফিরে আসায় পরিবার বিরূপ"),
			flagQ("flag_children_out_of_school", "medium", "${children_school_age} > ${children_in_school}", "School-age children out of school", "স্কুলে যাওয়ার বয়সী শিশু স্কুলের বাইরে"),
		},
		Lists: []List{yesno, yesnorefused,
			{"marital", [][3]string{
				{"single", "Never married", "অবিবাহিত"},
				{"married", "Married", "বিবাহিত"},
				{"separated", "Separated or divorced", "আলাদা থাকেন বা তালাকপ্রাপ্ত"},
				{"widowed", "Widowed", "বিধবা বা বিপত্নীক"},
			}},
			{"reaction", [][3]string{
				{"welcoming", "Welcoming", "সাদরে গ্রহণ করেছে"},
				{"mixed", "Mixed", "মিশ্র প্রতিক্রিয়া"},
				{"hostile", "Hostile", "বিরূপ"},
			}},
		},
	}
}

func protection() Def {
	const consented = "${consent} = 'yes'"
	return Def{
		ID: "protection_screening", Version: version,
		TitleEn: "Risk and protection screening", TitleBn: "ঝুঁকি ও সুরক্ষা যাচাই",
		Survey: []Q{
			q("note", "intro", "Ask only in private. Explain that answers are confidential and that any question may be skipped.",
				"শুধু একান্তে জিজ্ঞাসা করুন। ব্যাখ্যা করুন যে উত্তরগুলো গোপন রাখা হবে এবং যেকোনো প্রশ্নের উত্তর না দিলেও চলবে।"),
			q("select_one yesno", "consent", "Do you agree to answer questions about your safety and your experience abroad?",
				"আপনার নিরাপত্তা ও বিদেশে আপনার অভিজ্ঞতা নিয়ে প্রশ্নের উত্তর দিতে আপনি কি সম্মত?").req(),
			q("begin_group", "abroad", "Experience abroad", "বিদেশে অভিজ্ঞতা").rel(consented),
			q("select_one yesnorefused", "deceived", "Was the job or the pay different from what you were promised?", "কাজ বা বেতন কি প্রতিশ্রুতির চেয়ে ভিন্ন ছিল?").req(),
			q("select_one yesnorefused", "documents_withheld", "Did an employer or agent keep your passport or identity documents?",
				"নিয়োগকর্তা বা দালাল কি আপনার পাসপোর্ট বা পরিচয়পত্র নিজের কাছে আটকে রেখেছিল?").req(),
			q("select_one yesnorefused", "unpaid", "Were you made to work without pay, or to work off a debt?", "আপনাকে কি বিনা বেতনে বা ঋণ শোধের জন্য কাজ করতে বাধ্য করা হয়েছিল?").req(),
			q("select_one yesnorefused", "could_leave", "Could you leave the job or the place where you lived if you wanted to?",
				"আপনি চাইলে কি কাজ বা থাকার জায়গা ছেড়ে চলে যেতে পারতেন?").req(),
			q("select_one yesnorefused", "violence_abroad", "Were you threatened, beaten or abused?", "আপনাকে কি হুমকি দেওয়া, মারধর বা নির্যাতন করা হয়েছিল?").req(),
			endGroup(),
			q("begin_group", "since_return", "Since return", "ফেরার পর থেকে").rel(consented),
			q("select_one yesnorefused", "threats_now", "Is anyone threatening you or your family now (for example over a debt)?",
				"এখন কি কেউ আপনাকে বা আপনার পরিবারকে হুমকি দিচ্ছে (যেমন ঋণের কারণে)?").req(),
			q("select_one yesno", "urgent_medical", "Do you have an injury or illness that needs treatment now?", "আপনার কি এমন কোনো আঘাত বা অসুস্থতা আছে যার এখনই চিকিৎসা দরকার?").req(),
			q("text", "urgent_medical_details", "Describe briefly", "সংক্ষেপে বর্ণনা করুন").rel("${urgent_medical} = 'yes'"),
			q("select_one yesnorefused", "self_harm", "In the past two weeks, have you thought about harming yourself or ending your life?",
				"গত দুই সপ্তাহে আপনি কি নিজের ক্ষতি করার বা জীবন শেষ করে দেওয়ার কথা ভেবেছেন?").req(),
			q("select_one yesnorefused", "gbv", "Have you experienced sexual or gender-based violence, abroad or since return?",
				"বিদেশে বা ফেরার পরে আপনি কি যৌন বা লিঙ্গভিত্তিক সহিংসতার শিকার হয়েছেন?").req(),
			q("select_one yesno", "wants_referral", "Would you like to be referred to a specialised service?", "আপনি কি কোনো বিশেষায়িত সেবার কাছে রেফার হতে চান?").
				rel("${threats_now} = 'yes' or ${self_harm} = 'yes' or ${gbv} = 'yes' or ${documents_withheld} = 'yes' or ${unpaid} = 'yes'"),
			endGroup(),
			flagQ("flag_trafficking", "high",
				"(${deceived} = 'yes') + (${documents_withheld} = 'yes') + (${unpaid} = 'yes') + (${could_leave} = 'no') + (${violence_abroad} = 'yes') >= 2",
				"Possible victim of trafficking or forced labour — refer to a specialised service", "সম্ভাব্য মানবপাচার বা জোরপূর্বক শ্রমের শিকার — বিশেষায়িত সেবায় রেফার করুন"),
			flagQ("flag_medical_urgent", "urgent", "${urgent_medical} = 'yes'", "Urgent medical need", "জরুরি চিকিৎসা প্রয়োজন"),
			flagQ("flag_self_harm", "urgent", "${self_harm} = 'yes'", "Risk of self-harm — arrange psychosocial support today", "আত্মক্ষতির ঝুঁকি — আজই মনোসামাজিক সহায়তার ব্যবস্থা করুন"),
			flagQ("flag_gbv", "high", "${gbv} = 'yes'", "Survivor of gender-based violence — refer with consent", "লিঙ্গভিত্তিক সহিংসতার শিকার — সম্মতি নিয়ে রেফার করুন"),
			flagQ("flag_threats", "high", "${threats_now} = 'yes'", "Under threat since return", "ফেরার পর হুমকির মুখে"),
		},
		Lists: []List{yesno, yesnorefused},
	}
}

func rss() Def {
	return Def{
		ID: "rss", Version: version,
		TitleEn: "Reintegration sustainability survey", TitleBn: "টেকসই পুনঃএকীকরণ জরিপ",
		Survey: []Q{
			q("note", "intro", "Ask about the situation today. The answers give the economic, social and psychosocial scores.",
				"আজকের অবস্থা সম্পর্কে জিজ্ঞাসা করুন। উত্তরগুলো থেকে অর্থনৈতিক, সামাজিক ও মনোসামাজিক স্কোর হিসাব করা হয়।"),
			q("select_one round", "round", "Survey round", "জরিপের পর্ব").req(),
			q("date", "interview_date", "Date of interview", "সাক্ষাৎকারের তারিখ").req().con(". <= today()", futureEn, futureBn),

			q("begin_group", "economic", "Economic", "অর্থনৈতিক"),
			q("select_one income", "income_source", "What is your main source of income now?", "এখন আপনার আয়ের প্রধান উৎস কী?").req(),
			q("select_one often3", "food_security", "In the past month, how often did your household eat less because there was not enough food or money?",
				"গত এক মাসে খাবার বা টাকার অভাবে আপনার পরিবারকে কত ঘন ঘন কম খেতে হয়েছে?").req(),
			q("decimal", "debt_months", "How many months of household income would it take to repay all your debts? (0 if none)",
				"আপনার সব ঋণ শোধ করতে পরিবারের কত মাসের আয় লাগবে? (ঋণ না থাকলে ০)").req().
				hint("An estimate is enough.", "আনুমানিক হিসাবই যথেষ্ট।").con(". >= 0 and . <= 600", "Enter a number from 0 to 600.", "০ থেকে ৬০০-এর মধ্যে একটি সংখ্যা লিখুন।"),
			q("select_one assets", "productive_assets", "Does your household own or use productive assets (land, livestock, tools, a vehicle, a shop)?",
				"আপনার পরিবারের কি উৎপাদনশীল সম্পদ (জমি, গবাদিপশু, যন্ত্রপাতি, যানবাহন, দোকান) আছে বা ব্যবহার করে?").req(),
			q("select_one access3", "work_access", "If you wanted, could you find work or job training?", "আপনি চাইলে কি কাজ বা চাকরির প্রশিক্ষণ খুঁজে পেতেন?").req(),
			q("select_one satisfaction", "economic_satisfaction", "How satisfied are you with your economic situation?", "আপনার বর্তমান অর্থনৈতিক অবস্থা নিয়ে আপনি কতটা সন্তুষ্ট?").req(),
			endGroup(),

			q("begin_group", "social", "Social", "সামাজিক"),
			q("select_one housing", "housing", "How would you describe your housing?", "আপনার বাসস্থানকে কীভাবে বর্ণনা করবেন?").req(),
			q("select_one yesno", "school_age_children", "Are there children of school age (6–17) in your household?", "আপনার খানায় কি স্কুলে যাওয়ার বয়সী (৬–১৭ বছর) শিশু আছে?").req(),
			q("select_one allsomenone", "access_education", "Do the school-age children go to school?", "স্কুলে যাওয়ার বয়সী শিশুরা কি স্কুলে যায়?").req().rel("${school_age_children} = 'yes'"),
			q("select_one access3", "access_health", "Can you get health care when you need it?", "প্রয়োজন হলে আপনি কি স্বাস্থ্যসেবা পান?").req(),
			q("select_one allsomenone", "access_documentation", "Do you and your family have identity documents (national ID, birth registration)?",
				"আপনার ও আপনার পরিবারের সবার কি পরিচয়পত্র (জাতীয় পরিচয়পত্র, জন্ম নিবন্ধন) আছে?").req(),
			q("select_one access3", "access_justice", "If you were wronged, could you get help from the police, a court or local mediation (shalish)?",
				"আপনার প্রতি অন্যায় হলে আপনি কি পুলিশ, আদালত বা স্থানীয় সালিশের সাহায্য পেতেন?").req(),
			q("select_one always3", "access_water", "Does your household have safe drinking water?", "আপনার পরিবারের কি নিরাপদ খাবার পানি আছে?").req(),
			endGroup(),

			q("begin_group", "psychosocial", "Psychosocial", "মনোসামাজিক"),
			q("select_one support", "support_network", "Are there people you can count on for help or advice?", "সাহায্য বা পরামর্শের জন্য ভরসা করা যায় এমন মানুষ কি আপনার আছে?").req(),
			q("select_one often3r", "community_participation", "How often do you take part in community activities (social, religious or cultural gatherings)?",
				"আপনি কত ঘন ঘন সামাজিক, ধর্মীয় বা সাংস্কৃতিক অনুষ্ঠানে অংশ নেন?").req(),
			q("select_one yespartlyno", "safety_belonging", "Do you feel safe, and that you belong in the community where you live?",
				"যে এলাকায় থাকেন সেখানে আপনি কি নিরাপদ বোধ করেন এবং নিজেকে সেই সমাজের অংশ মনে করেন?").req(),
			q("select_one often4", "distress", "In the past two weeks, how often have you felt very sad, afraid or angry, or been unable to sleep?",
				"গত দুই সপ্তাহে কত ঘন ঘন আপনি খুব দুঃখিত, ভীত বা রাগান্বিত বোধ করেছেন, অথবা ঘুমাতে পারেননি?").req(),
			q("select_one often3", "discrimination", "Do you feel treated unfairly in your community because you migrated or came back?",
				"বিদেশে যাওয়া বা ফিরে আসার কারণে আপনি কি নিজের এলাকায় অন্যায় আচরণের শিকার হন?").req(),
			q("select_one remigrate", "migrate_again", "Do you wish to migrate again?", "আপনি কি আবার বিদেশে যেতে চান?").req(),
			q("select_one necessity", "migrate_reason", "Is that a choice or a necessity?", "এটি কি আপনার নিজের পছন্দ, নাকি প্রয়োজনের তাগিদে?").rel("${migrate_again} = 'yes' or ${migrate_again} = 'maybe'"),
			endGroup(),

			flagQ("flag_distress", "high", "${distress} = 'always'", "Signs of severe distress — offer psychosocial support", "তীব্র মানসিক চাপের লক্ষণ — মনোসামাজিক সহায়তা দিন"),
			flagQ("flag_food_insecure", "medium", "${food_security} = 'often'", "Household often short of food", "পরিবারে প্রায়ই খাবারের অভাব"),
		},
		Lists: []List{yesno,
			{"round", [][3]string{
				{"baseline", "Baseline", "প্রাথমিক (বেসলাইন)"},
				{"m3", "3 months after return", "ফেরার ৩ মাস পর"},
				{"m6", "6 months after return", "ফেরার ৬ মাস পর"},
				{"m12", "12 months after return", "ফেরার ১২ মাস পর"},
				{"other", "Other", "অন্যান্য"},
			}},
			{"income", [][3]string{
				{"regular_job", "A regular job", "নিয়মিত চাকরি"},
				{"self_employed", "Own business or farm", "নিজের ব্যবসা বা কৃষিকাজ"},
				{"casual_work", "Day labour or occasional work", "দিনমজুরি বা অনিয়মিত কাজ"},
				{"support", "Money or help from family or others", "পরিবার বা অন্যদের দেওয়া টাকা বা সাহায্য"},
				{"none", "No income", "কোনো আয় নেই"},
			}},
			{"often3", [][3]string{
				{"never", "Never", "কখনো না"},
				{"sometimes", "Sometimes", "মাঝে মাঝে"},
				{"often", "Often", "প্রায়ই"},
			}},
			{"often3r", [][3]string{
				{"often", "Often", "প্রায়ই"},
				{"sometimes", "Sometimes", "মাঝে মাঝে"},
				{"never", "Never", "কখনো না"},
			}},
			{"often4", [][3]string{
				{"never", "Never", "কখনো না"},
				{"sometimes", "Sometimes", "মাঝে মাঝে"},
				{"often", "Often", "প্রায়ই"},
				{"always", "Almost always", "প্রায় সবসময়"},
			}},
			{"assets", [][3]string{
				{"enough", "Yes, enough to make a living", "হ্যাঁ, জীবিকার জন্য যথেষ্ট"},
				{"some", "Some, but not enough", "কিছু আছে, তবে যথেষ্ট নয়"},
				{"none", "None", "নেই"},
			}},
			{"access3", [][3]string{
				{"yes", "Yes", "হ্যাঁ"},
				{"difficult", "Yes, but with difficulty", "হ্যাঁ, তবে কষ্ট করে"},
				{"no", "No", "না"},
			}},
			{"satisfaction", [][3]string{
				{"very_satisfied", "Very satisfied", "খুব সন্তুষ্ট"},
				{"satisfied", "Satisfied", "সন্তুষ্ট"},
				{"neutral", "Neither satisfied nor dissatisfied", "সন্তুষ্টও নই, অসন্তুষ্টও নই"},
				{"dissatisfied", "Dissatisfied", "অসন্তুষ্ট"},
				{"very_dissatisfied", "Very dissatisfied", "খুব অসন্তুষ্ট"},
			}},
			{"housing", [][3]string{
				{"adequate", "Adequate and secure", "উপযুক্ত ও নিরাপদ"},
				{"insecure", "Adequate, but I may have to leave at any time", "উপযুক্ত, তবে যেকোনো সময় ছেড়ে যেতে হতে পারে"},
				{"inadequate", "Not fit to live in", "বসবাসের অনুপযুক্ত"},
				{"none", "No stable place to live", "স্থায়ী থাকার জায়গা নেই"},
			}},
			{"allsomenone", [][3]string{
				{"all", "All of them", "সবাই"},
				{"some", "Some of them", "কেউ কেউ"},
				{"none", "None of them", "কেউ না"},
			}},
			{"always3", [][3]string{
				{"always", "Always", "সবসময়"},
				{"sometimes", "Sometimes", "মাঝে মাঝে"},
				{"never", "Never", "কখনো না"},
			}},
			{"support", [][3]string{
				{"several", "Yes, several people", "হ্যাঁ, কয়েকজন আছেন"},
				{"one", "Yes, one person", "হ্যাঁ, একজন আছেন"},
				{"none", "No one", "কেউ নেই"},
			}},
			{"yespartlyno", [][3]string{
				{"yes", "Yes", "হ্যাঁ"},
				{"partly", "Partly", "কিছুটা"},
				{"no", "No", "না"},
			}},
			{"remigrate", [][3]string{
				{"no", "No", "না"},
				{"maybe", "Maybe", "হয়তো"},
				{"yes", "Yes", "হ্যাঁ"},
			}},
			{"necessity", [][3]string{
				{"choice", "A choice", "নিজের পছন্দ"},
				{"necessity", "A necessity", "প্রয়োজনের তাগিদ"},
			}},
		},
	}
}
