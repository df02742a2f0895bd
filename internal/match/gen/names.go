package gen

// Name pools, most common first (the generator draws with a Zipf-like skew,
// so many different people share "Mohammad … Islam" and "… Begum"). Each
// entry lists spellings of one name separated by "|"; the first is the one
// most registrations use. A Bangla spelling follows "=" where known. Some
// spellings are deliberately absent from the matcher's variant table, so
// that the benchmark also measures its phonetic keys.
var maleGiven = []string{
	"Rafiqul|Rafikul|Rofiqul=রফিকুল", "Aminul|Aminool=আমিনুল", "Shafiqul|Shafikul|Sofiqul=শফিকুল", "Abdur Rahman|Abdul Rahman|Abdur Rahaman|Abdurrahman=আব্দুর রহমান",
	"Jahangir|Jahangeer=জাহাঙ্গীর", "Kamal|Kamaal=কামাল", "Jamal|Jamaal=জামাল", "Habib|Habeeb=হাবিব", "Rashid|Rasheed|Rashed=রশিদ",
	"Abdul Karim|Abdul Kareem|Abdul Korim=আব্দুল করিম", "Nurul Islam|Noorul Islam=নুরুল ইসলাম", "Mizanur Rahman|Mizanor Rahman|Mizanur Rehman=মিজানুর রহমান",
	"Saiful|Saifool|Shaiful=সাইফুল", "Monir|Munir=মনির", "Sohel|Sohail|Suhail=সোহেল", "Rubel|Rubell=রুবেল", "Shahid|Shaheed|Sahid=শহীদ",
	"Alamgir|Alamgeer=আলমগীর", "Belal|Bilal=বেলাল", "Faruk|Farooq|Faruque=ফারুক", "Harun|Haroon=হারুন", "Ibrahim|Ebrahim=ইব্রাহিম",
	"Ismail|Esmail|Ismael=ইসমাইল", "Jasim|Jashim|Jasimuddin=জসিম", "Kabir|Kabeer=কবির", "Liton|Litton=লিটন", "Mamun|Mamoon=মামুন",
	"Masud|Masood|Mashud=মাসুদ", "Mostafa|Mustafa|Mostofa=মোস্তফা", "Nazrul|Nazrool=নজরুল", "Rakib|Rakeeb=রাকিব", "Selim|Salim|Saleem=সেলিম",
	"Sumon|Shumon=সুমন", "Tariq|Tarek|Tareq=তারেক", "Towhid|Tawhid|Touhid=তৌহিদ", "Yusuf|Yousuf|Eusuf=ইউসুফ", "Zakir|Jakir=জাকির",
	"Anwar|Anowar=আনোয়ার", "Arif|Areef=আরিফ", "Asif|Aasif=আসিফ", "Babul|Baabul=বাবুল", "Delwar|Delowar|Dilwar=দেলোয়ার",
	"Emran|Imran=ইমরান", "Faisal|Faysal=ফয়সাল", "Golam Mostafa|Gulam Mustafa|Ghulam Mostafa=গোলাম মোস্তফা", "Hasan|Hassan=হাসান",
	"Iqbal|Ikbal=ইকবাল", "Jalal|Jalaal=জালাল", "Khalid|Khaled=খালেদ", "Latif|Lateef=লতিফ", "Mahbub|Mahboob=মাহবুব", "Milon|Milan=মিলন",
	"Mohiuddin|Mohiuddeen|Muhiuddin=মহিউদ্দিন", "Nasir|Naseer=নাসির", "Obaidul|Ubaidul=ওবায়দুল", "Parvez|Pervez=পারভেজ", "Rahim|Raheem|Rohim=রহিম",
	"Sabbir|Shabbir=সাব্বির", "Shamim|Shameem=শামীম", "Tanvir|Tanveer=তানভীর", "Uzzal|Ujjal=উজ্জ্বল", "Wahid|Wahed|Oahid=ওয়াহিদ",
	"Ziaur Rahman|Ziaur Rehman=জিয়াউর রহমান", "Abul Kalam|Abul Kalaam=আবুল কালাম", "Abu Bakar|Abu Bakr|Abubakar=আবু বকর", "Anisur|Anisoor=আনিসুর",
	"Bashir|Basheer=বশির", "Didarul|Deedarul=দিদারুল", "Enamul|Inamul=এনামুল", "Fazlul Haque|Fazlul Hoque|Fozlul Haq=ফজলুল হক",
	"Ghulam Rasul|Golam Rasul|Gulam Rasool=গোলাম রসুল", "Hafizur|Hafijur=হাফিজুর", "Imdadul|Emdadul=ইমদাদুল", "Jewel|Juel=জুয়েল",
	"Kawsar|Kausar|Kowsar=কাওসার", "Lutfar|Lutfor=লুৎফর", "Mahfuz|Mahfooz=মাহফুজ", "Nayeem|Naim|Nayim=নাঈম", "Osman|Usman=ওসমান",
	"Rezaul Karim|Rejaul Karim|Rezaul Kareem=রেজাউল করিম", "Shahjahan|Shah Jahan|Shajahan=শাহজাহান", "Tofazzal|Tofajjal=তোফাজ্জল", "Zubair|Jubair|Zobair=জুবায়ের",
	"Bilal Ahmed|Bilal Ahmad=বিলাল আহমেদ", "Waqar|Waqqar", "Naveed|Navid", "Kashif|Kasif", "Arshad|Arshed", "Irfan|Erfan", "Hamza|Hamja",
	"Ali Hassan|Ali Hasan|Ali Hasen", "Ahmed Jasim|Ahmad Jassim", "Haider|Hayder|Haidar", "Kadhim|Kazim|Kadim", "Mahdi|Mehdi",
}

var femaleGiven = []string{
	"Fatema|Fatima|Fathima=ফাতেমা", "Rahima|Raheema|Rohima=রহিমা", "Nasrin|Nasreen=নাসরিন", "Shirin|Shireen|Sirin=শিরিন", "Ayesha|Aisha|Aysha=আয়েশা",
	"Khadija|Khadiza|Khodeja=খাদিজা", "Rokeya|Rokaya|Rukeya=রোকেয়া", "Salma|Salmaa=সালমা", "Taslima|Tasleema=তাসলিমা", "Rabeya|Rabia|Rabiya=রাবেয়া",
	"Sabina|Sabeena=সাবিনা", "Shahnaz|Shahnaj=শাহনাজ", "Momena|Mumina=মোমেনা", "Nazma|Najma=নাজমা", "Parvin|Parveen|Perveen=পারভীন",
	"Shapla|Saplaa=শাপলা", "Jesmin|Jasmine|Josmin=জেসমিন", "Morjina|Marjina|Morzina=মর্জিনা", "Rina|Reena=রিনা", "Shilpi|Silpi=শিল্পী",
	"Hasina|Haseena=হাসিনা", "Kulsum|Kulsoom|Kulsum=কুলসুম", "Lipi|Leepi=লিপি", "Moriom|Mariam|Maryam=মরিয়ম", "Nurjahan|Noorjahan|Nur Jahan=নূরজাহান",
	"Popy|Popi=পপি", "Rupa|Roopa=রূপা", "Sumaiya|Sumaya|Somaiya=সুমাইয়া", "Tania|Taniya=তানিয়া", "Umme Kulsum|Ummay Kulsum=উম্মে কুলসুম",
	"Jannatul Ferdous|Jannatul Firdous=জান্নাতুল ফেরদৌস", "Sharmin|Sharmeen=শারমিন", "Sultana|Sultanah=সুলতানা", "Mahmuda|Mahmooda=মাহমুদা",
	"Anowara|Anwara=আনোয়ারা", "Beauty|Bewty=বিউটি", "Dilruba|Delruba=দিলরুবা", "Farzana|Farjana=ফারজানা", "Hosneara|Husne Ara|Hosne Ara=হোসনে আরা",
	"Israt Jahan|Esrat Jahan=ইসরাত জাহান", "Kohinoor|Kohinur=কোহিনূর", "Laila|Layla|Laily=লাইলা", "Mousumi|Mowsumi=মৌসুমী", "Nargis|Nargish=নার্গিস",
	"Rehana|Rihana=রেহানা", "Shamima|Shameema=শামীমা", "Yasmin|Yasmeen=ইয়াসমিন", "Zainab|Zaynab|Jainab=জয়নব", "Asma|Asmaa", "Samina|Sameena",
}

var family = []string{
	"Islam|Islaam=ইসলাম", "Hossain|Hussain|Hosen|Husain=হোসেন", "Rahman|Rahaman|Rehman=রহমান", "Akter|Akhter|Aktar|Akhtar=আক্তার",
	"Begum|Begom=বেগম", "Khatun|Khatoon=খাতুন", "Ahmed|Ahmad|Ahamed=আহমেদ", "Uddin|Uddeen|Udin=উদ্দিন", "Ali|Aly=আলী", "Miah|Mia|Miya=মিয়া",
	"Khan|Khaan=খান", "Chowdhury|Choudhury|Chaudhry=চৌধুরী", "Sarkar|Sarker|Sircar=সরকার", "Mondal|Mandal|Mondol=মন্ডল", "Haque|Hoque|Huq=হক",
	"Alam|Allam=আলম", "Sheikh|Shaikh=শেখ", "Biswas|Bishwas=বিশ্বাস", "Talukder|Talukdar=তালুকদার", "Bhuiyan|Bhuiya|Bhuyan=ভূঁইয়া",
	"Howlader|Hawlader=হাওলাদার", "Sardar|Sarder=সরদার", "Pramanik|Paramanik=প্রামানিক", "Munshi|Munshee=মুন্সী", "Molla|Mollah|Mullah=মোল্লা",
	"Kazi|Qazi=কাজী", "Mahmud|Mahmood=মাহমুদ", "Karim|Kareem=করিম", "Siddique|Siddiqui|Siddiki=সিদ্দিকী", "Parvin|Parveen=পারভীন",
	"Sultana|Sultanah=সুলতানা", "Nahar|Nahaar=নাহার", "Jahan|Jahaan=জাহান", "Bepari|Beparee=বেপারী", "Dewan|Diwan=দেওয়ান", "Fakir|Fakeer=ফকির",
	"Gazi|Ghazi=গাজী", "Hawladar|Haoladar", "Joarder|Jowarder=জোয়ার্দার", "Khandaker|Khondokar|Khandakar=খন্দকার", "Majumder|Mazumder|Mojumder=মজুমদার",
	"Patwary|Patwari=পাটোয়ারী", "Rana|Raana=রানা", "Shikder|Sikder=শিকদার", "Tarafder|Tarafdar=তরফদার", "Qureshi|Kureshi", "Butt|Bhatt",
	"Malik|Mallik", "Raza|Reza", "Abbas|Abas", "Javed|Javaid", "Al-Jubouri|Al Jubouri|Aljuboori", "Al-Tamimi|Al Tamimi|Altamimi", "Al-Obaidi|Al Obaidi",
}

var villageStems = []string{"Char", "Kandi", "Pur", "Hati", "Nagar", "Gram", "Para", "Dia", "Bari", "Tola", "Ganj", "Hat", "Khali", "Danga", "Bil", "Kona"}
var villageHeads = []string{"Uttar", "Dakshin", "Purba", "Paschim", "Boro", "Choto", "Moddho", "Nayan", "Shanti", "Ram", "Krishna", "Sona", "Rup", "Kasi", "Madhab", "Gopal", "Hari", "Nil", "Lal", "Shyam", "Bhabani", "Chandra", "Durga", "Fatik", "Gobindo", "Hasan", "Jamal", "Kamal", "Laxmi", "Mohan"}
