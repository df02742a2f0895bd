package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/reference"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// The demo returnees: about 2,000 people registered by the case workers of
// the three NGOs and the welfare board between January 2024 and now, in
// the districts each organisation works in, with destinations weighted as
// in internal/reference/data/bgd_destinations_2022.csv. Each case then
// moves along its lifecycle, some consents are withdrawn and a few
// arrivals from the reception desk wait to be completed.
//
// The generator is deterministic (a seeded PCG): the same people every
// run. Registrations, case moves and withdrawals are replayed in time
// order with the database clock set to the moment each happened, so that
// case numbers, timelines and the audit log tell a believable story.

// demoOrg says who registers for an organisation, where, and how many.
type demoOrg struct {
	key        string
	workers    []string // e-mails of the registering case workers
	supervisor string
	districts  []string // p-codes; the welfare board's are the top sending districts
	people     int
}

var demoOrgs = []demoOrg{
	{"shapla", []string{"caseworker@shapla.demo", "caseworker2@shapla.demo"}, "supervisor@shapla.demo", []string{"BD3026", "BD3067", "BD3093"}, 560},
	{"sylhet", []string{"caseworker@smwf.demo"}, "supervisor@smwf.demo", []string{"BD6091", "BD6036"}, 420},
	{"prottyasha", []string{"caseworker@prottyasha.demo"}, "supervisor@prottyasha.demo", []string{"BD2019", "BD2012", "BD2030"}, 540},
	{"web", []string{"caseworker@wewb.demo"}, "supervisor@wewb.demo",
		[]string{"BD2019", "BD2015", "BD2013", "BD2075", "BD3048", "BD3059", "BD6058", "BD2022"}, 440},
}

// receptionsPerOrg is how many desk arrivals each organisation has still to complete.
const receptionsPerOrg = 6

// name is a name in Latin letters and in Bangla.
type name struct{ latin, bangla string }

var (
	maleGiven = []name{{"Rafiqul", "রফিকুল"}, {"Shahidul", "শহিদুল"}, {"Aminul", "আমিনুল"}, {"Jahangir", "জাহাঙ্গীর"}, {"Kamal", "কামাল"},
		{"Jamal", "জামাল"}, {"Harun", "হারুন"}, {"Mizanur", "মিজানুর"}, {"Habibur", "হাবিবুর"}, {"Mostafizur", "মোস্তাফিজুর"},
		{"Saiful", "সাইফুল"}, {"Nazrul", "নজরুল"}, {"Anwar", "আনোয়ার"}, {"Selim", "সেলিম"}, {"Faruk", "ফারুক"}, {"Belal", "বেলাল"},
		{"Delwar", "দেলোয়ার"}, {"Jasim", "জসিম"}, {"Alamgir", "আলমগীর"}, {"Shafiqul", "শফিকুল"}, {"Abul", "আবুল"}, {"Rashed", "রাশেদ"},
		{"Sohel", "সোহেল"}, {"Liton", "লিটন"}, {"Mamun", "মামুন"}, {"Rubel", "রুবেল"}, {"Shamim", "শামীম"}, {"Kawsar", "কাওসার"},
		{"Monir", "মনির"}, {"Ripon", "রিপন"}, {"Hanif", "হানিফ"}, {"Motaleb", "মোতালেব"}, {"Babul", "বাবুল"}, {"Sujon", "সুজন"},
		{"Imran", "ইমরান"}, {"Abdul", "আব্দুল"}, {"Nurul", "নুরুল"}, {"Ziaur", "জিয়াউর"}, {"Masud", "মাসুদ"}, {"Tofazzal", "তোফাজ্জল"}}
	femaleGiven = []name{{"Rahima", "রহিমা"}, {"Shirin", "শিরিন"}, {"Nasima", "নাসিমা"}, {"Rokeya", "রোকেয়া"}, {"Fatema", "ফাতেমা"},
		{"Salma", "সালমা"}, {"Ayesha", "আয়েশা"}, {"Morjina", "মর্জিনা"}, {"Hasina", "হাসিনা"}, {"Jesmin", "জেসমিন"}, {"Shahnaz", "শাহনাজ"},
		{"Rina", "রিনা"}, {"Moni", "মনি"}, {"Laili", "লাইলী"}, {"Kulsum", "কুলসুম"}, {"Rashida", "রাশিদা"}, {"Amena", "আমেনা"},
		{"Parvin", "পারভীন"}, {"Nazma", "নাজমা"}, {"Tahmina", "তাহমিনা"}, {"Sabina", "সাবিনা"}, {"Ruma", "রুমা"}, {"Khadija", "খাদিজা"}}
	maleFamily = []name{{"Islam", "ইসলাম"}, {"Hossain", "হোসেন"}, {"Rahman", "রহমান"}, {"Uddin", "উদ্দিন"}, {"Ahmed", "আহমেদ"},
		{"Mia", "মিয়া"}, {"Sheikh", "শেখ"}, {"Khan", "খান"}, {"Sarkar", "সরকার"}, {"Chowdhury", "চৌধুরী"}, {"Molla", "মোল্লা"},
		{"Talukder", "তালুকদার"}, {"Bhuiyan", "ভূঁইয়া"}, {"Alam", "আলম"}, {"Haque", "হক"}, {"Ali", "আলী"}, {"Kabir", "কবির"},
		{"Karim", "করিম"}, {"Howlader", "হাওলাদার"}, {"Mondal", "মণ্ডল"}}
	femaleFamily = []name{{"Begum", "বেগম"}, {"Akter", "আক্তার"}, {"Khatun", "খাতুন"}, {"Sultana", "সুলতানা"}, {"Bibi", "বিবি"},
		{"Parvin", "পারভীন"}, {"Islam", "ইসলাম"}, {"Nesa", "নেছা"}}
	// Hindu names: no honorific, family names shared by women and men.
	hinduMale   = []name{{"Gopal", "গোপাল"}, {"Sujit", "সুজিত"}, {"Bikash", "বিকাশ"}, {"Nitai", "নিতাই"}, {"Ratan", "রতন"}}
	hinduFemale = []name{{"Shefali", "শেফালী"}, {"Sabita", "সবিতা"}, {"Anjali", "অঞ্জলি"}, {"Mala", "মালা"}}
	hinduFamily = []name{{"Das", "দাস"}, {"Roy", "রায়"}, {"Pal", "পাল"}, {"Barman", "বর্মন"}, {"Sarkar", "সরকার"}}
	villages    = []string{"Char Kalibari", "Kazipara", "Uttar Para", "Dakshin Bhabanipur", "Noapara", "Purba Shibpur", "Madhyapara", "Hazipur",
		"Boro Bari", "Mollapara", "Tetultala", "Notun Bazar", "Bottola", "Kandirpar", "Shantinagar"}
)

// weighted picks from choices with weights.
type weighted[T any] struct {
	items   []T
	weights []int
	total   int
}

func newWeighted[T any](pairs ...any) *weighted[T] {
	w := &weighted[T]{}
	for i := 0; i+1 < len(pairs); i += 2 {
		w.items = append(w.items, pairs[i].(T))
		w.weights = append(w.weights, pairs[i+1].(int))
		w.total += pairs[i+1].(int)
	}
	return w
}

func (w *weighted[T]) pick(r *rand.Rand) T {
	n := r.IntN(w.total)
	for i, wt := range w.weights {
		if n < wt {
			return w.items[i]
		}
		n -= wt
	}
	return w.items[len(w.items)-1]
}

var (
	// Men: the 2022 BMET departures (thousands), with a few smaller destinations.
	maleDest = newWeighted[string]("SA", 612, "OM", 180, "AE", 98, "SG", 64, "MY", 50, "QA", 24, "KW", 20, "JO", 6, "IT", 8, "KR", 6, "MU", 5,
		"BH", 8, "LY", 4, "MV", 4, "LB", 2)
	// Women work mostly in households and garment factories of a few countries.
	femaleDest = newWeighted[string]("SA", 50, "JO", 20, "OM", 10, "LB", 8, "AE", 6, "QA", 6)
	maleSector = newWeighted[registry.Sector](registry.SectorConstruction, 34, registry.SectorAgriculture, 9, registry.SectorCleaning, 10,
		registry.SectorManufacturing, 12, registry.SectorTransport, 10, registry.SectorHospitality, 8, registry.SectorRetail, 9,
		registry.SectorSecurity, 4, registry.SectorFishing, 1, registry.SectorOther, 3)
	femaleSector = newWeighted[registry.Sector](registry.SectorDomesticWork, 70, registry.SectorManufacturing, 22, registry.SectorCleaning, 5, registry.SectorHealthCare, 3)
	isco         = map[registry.Sector][]string{
		registry.SectorConstruction: {"9313", "9312", "7112", "7126", "7411"}, registry.SectorAgriculture: {"9211", "6121"},
		registry.SectorCleaning: {"9112"}, registry.SectorManufacturing: {"8153", "9329"}, registry.SectorTransport: {"8322", "8332"},
		registry.SectorHospitality: {"5120", "5131"}, registry.SectorRetail: {"5223"}, registry.SectorSecurity: {"5414"},
		registry.SectorFishing: {"6222"}, registry.SectorOther: {"9629", "7231"}, registry.SectorDomesticWork: {"9111"}, registry.SectorHealthCare: {"5322"},
	}
	returnTypes = newWeighted[registry.ReturnType](registry.ReturnEndOfContract, 35, registry.ReturnDeported, 25, registry.ReturnVoluntary, 25,
		registry.ReturnAssistedVoluntary, 10, registry.ReturnCrisisEvacuation, 5)
	visas   = newWeighted[registry.VisaType](registry.VisaWorkContract, 60, registry.VisaFreeVisa, 20, registry.VisaVisit, 8, registry.VisaIrregular, 7, registry.VisaOther, 5)
	recruit = newWeighted[registry.RecruitmentChannel](registry.RecruitLicensedAgency, 35, registry.RecruitSubAgent, 35, registry.RecruitPersonal, 20,
		registry.RecruitGovernment, 5, registry.RecruitSelf, 5)
	education = newWeighted[registry.Education](registry.EduPrimary, 30, registry.EduLowerSecondary, 25, registry.EduSecondary, 20, registry.EduNone, 10,
		registry.EduHigherSecondary, 8, registry.EduReligious, 4, registry.EduVocational, 3)
	// Where a case stands now (given enough time since registration).
	finalStatus = newWeighted[registry.CaseStatus](registry.StatusRegistered, 42, registry.StatusAssessed, 22, registry.StatusPlanAgreed, 11,
		registry.StatusInServices, 11, registry.StatusMonitoring, 7, registry.StatusClosed, 7)
	closures = newWeighted[registry.ClosureReason](registry.CloseSupportCompleted, 55, registry.CloseUnreachable, 15, registry.CloseMovedOrRemigrated, 18,
		registry.CloseOptedOut, 10, registry.CloseDeceased, 2)
	flags = newWeighted[registry.Vulnerability](registry.VulnWageTheft, 25, registry.VulnDebtBondage, 15, registry.VulnDetention, 15, registry.VulnUrgentMedical, 8,
		registry.VulnMentalHealth, 10, registry.VulnDestitute, 10, registry.VulnSingleHeadHousehold, 7, registry.VulnTraffickingVictim, 4, registry.VulnDisability, 6)
)

// op is one thing that happens to the demo registry at a moment.
type op struct {
	at  time.Time
	run func(ctx context.Context) error
}

// seedRegistry adds the demo returnees.
func seedRegistry(ctx context.Context, db *sqldb.DB, w *World) error {
	r := rand.New(rand.NewPCG(2026, 11))
	realNow := db.Now
	now := realNow().UTC()
	var clock time.Time
	db.Now = func() time.Time { return clock }
	defer func() { db.Now = realNow }()

	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var ops []op
	phones := map[string]bool{}
	for _, o := range demoOrgs {
		org := w.Orgs[o.key]
		if org == nil {
			return fmt.Errorf("no demo organisation %q", o.key)
		}
		var workers []*homeward.Actor
		for _, e := range o.workers {
			workers = append(workers, actorOf(w, e, org))
		}
		sup := actorOf(w, o.supervisor, org)
		upazilas := map[string][]string{}
		for _, d := range o.districts {
			for _, a := range reference.SearchAreas(reference.AreaFilter{Parent: d}) {
				if strings.HasPrefix(a.Code, "BD") && a.Names["bn"] != "" && !strings.Contains(a.Names["en"], "Thana") {
					upazilas[d] = append(upazilas[d], a.Code)
				}
			}
		}
		for range o.people {
			worker := workers[r.IntN(len(workers))]
			p := newPerson(r, o, upazilas, phones)
			// The return lies between 2024 and a week ago; registration follows within a month.
			span := now.Add(-7 * 24 * time.Hour).Sub(start)
			ret := start.Add(time.Duration(r.Int64N(int64(span))))
			ep := newEpisode(r, p, ret, o.key == "sylhet")
			regAt := ret.Add(time.Duration(1+r.IntN(30))*24*time.Hour + time.Duration(9*3600+r.IntN(8*3600))*time.Second - 6*time.Hour)
			if regAt.After(now.Add(-time.Hour)) {
				regAt = now.Add(-time.Hour)
			}
			reg := &registry.Registration{Person: p, Episodes: []registry.MigrationEpisode{ep}, Consents: newConsents(r, p)}
			c := &demoCase{}
			wctx := homeward.NewContextWithActor(ctx, worker)
			ops = append(ops, op{regAt, func(context.Context) error {
				rec, err := db.Register(wctx, reg)
				if err != nil {
					return fmt.Errorf("register %s: %w", reg.Person.DisplayName(), err)
				}
				c.rec, c.version = rec, 1
				return nil
			}})
			ops = append(ops, lifecycle(r, c, wctx, homeward.NewContextWithActor(ctx, sup), db, regAt, now, ep, workers)...)
		}
		for range receptionsPerOrg {
			in := newReception(r, phones)
			at := now.Add(-time.Duration(1+r.IntN(14*24)) * time.Hour)
			wctx := homeward.NewContextWithActor(ctx, workers[0])
			ops = append(ops, op{at, func(context.Context) error {
				in.ReturnDate = registry.DateOf(at.Add(-2 * time.Hour).In(dhakaZone))
				_, err := db.RegisterReception(wctx, in)
				return err
			}})
		}
	}
	slices.SortStableFunc(ops, func(a, b op) int { return a.at.Compare(b.at) })
	for _, o := range ops {
		clock = o.at
		if err := o.run(ctx); err != nil {
			return err
		}
	}
	return nil
}

var dhakaZone = time.FixedZone("BDT", 6*3600)

func actorOf(w *World, email string, org *homeward.Organisation) *homeward.Actor {
	u := w.Users[email]
	return &homeward.Actor{UserID: u.ID, OrgID: org.ID, Name: u.Name, Email: u.Email, Locale: u.Locale, Roles: u.Roles, Operator: org.Operator}
}

// demoCase is filled in when the registration has run, for the later ops.
type demoCase struct {
	rec     *registry.Record
	version int
}

func pickName(r *rand.Rand, list []name) name { return list[r.IntN(len(list))] }

func phone(r *rand.Rand, seen map[string]bool) string {
	for {
		p := fmt.Sprintf("+8801%d%08d", 3+r.IntN(7), r.IntN(100000000))
		if !seen[p] {
			seen[p] = true
			return p
		}
	}
}

func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteByte(byte('1' + r.IntN(9)))
	for range n - 1 {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func newPerson(r *rand.Rand, o demoOrg, upazilas map[string][]string, phones map[string]bool) registry.Person {
	female := r.IntN(100) < 13
	hindu := r.IntN(100) < 8
	var given, family name
	var honorific name
	switch {
	case hindu && female:
		given, family = pickName(r, hinduFemale), pickName(r, hinduFamily)
	case hindu:
		given, family = pickName(r, hinduMale), pickName(r, hinduFamily)
	case female:
		given, family = pickName(r, femaleGiven), pickName(r, femaleFamily)
		if r.IntN(100) < 25 {
			honorific = name{"Mst.", "মোছা."}
		}
	default:
		given, family = pickName(r, maleGiven), pickName(r, maleFamily)
		if r.IntN(100) < 40 {
			honorific = name{"Md.", "মো."}
		}
	}
	p := registry.Person{Sex: registry.SexMale, Education: education.pick(r), Languages: []string{"bn"}}
	if female {
		p.Sex = registry.SexFemale
	}
	p.GivenName = strings.TrimSpace(honorific.latin + " " + given.latin)
	p.FamilyName = family.latin
	p.FullNameNative = strings.TrimSpace(honorific.bangla + " " + given.bangla + " " + family.bangla)
	fatherFamily := family
	if female || hindu {
		fatherFamily = pickName(r, maleFamily)
		if hindu {
			fatherFamily = family
		}
	}
	fatherGiven := pickName(r, maleGiven)
	if hindu {
		fatherGiven = pickName(r, hinduMale)
	}
	p.FatherName = fatherGiven.latin + " " + fatherFamily.latin
	if r.IntN(100) < 60 {
		mg := pickName(r, femaleGiven)
		if hindu {
			mg = pickName(r, hinduFemale)
		}
		p.MotherName = mg.latin + " " + pickName(r, femaleFamily).latin
	}
	// Born between 1966 and 2004; often only the year is known.
	y := 1966 + r.IntN(39)
	switch n := r.IntN(100); {
	case n < 45:
		p.DateOfBirth = registry.DayDate(y, 1+r.IntN(12), 1+r.IntN(28))
	case n < 85:
		p.DateOfBirth = registry.YearDate(y)
	case n < 95:
		p.DateOfBirth = registry.MonthDate(y, 1+r.IntN(12))
	}
	if r.IntN(100) < 65 {
		n := digits(r, 10)
		if r.IntN(3) == 0 {
			n = digits(r, 17)
		}
		p.Documents = append(p.Documents, registry.Document{Type: registry.DocNationalID, Number: n, IssuingCountry: "BD"})
	}
	if r.IntN(100) < 75 {
		p.Documents = append(p.Documents, registry.Document{Type: registry.DocPassport, Number: string(rune('A'+r.IntN(3))) + fmt.Sprintf("%08d", r.IntN(100000000)), IssuingCountry: "BD"})
	}
	p.Phones = []string{phone(r, phones)}
	if r.IntN(100) < 20 {
		p.Phones = append(p.Phones, phone(r, phones))
	}
	d := o.districts[r.IntN(len(o.districts))]
	area := d
	if ups := upazilas[d]; len(ups) > 0 && r.IntN(100) < 90 {
		area = ups[r.IntN(len(ups))]
	}
	p.Address = registry.Address{AdminArea: area, Text: "Vill. " + villages[r.IntN(len(villages))]}
	// Household: a spouse for most, children, sometimes a parent.
	if r.IntN(100) < 75 {
		age := 20 + r.IntN(25)
		sex := registry.SexFemale
		if female {
			sex = registry.SexMale
		}
		p.Household = append(p.Household, registry.HouseholdMember{Relationship: registry.RelSpouse, Age: &age, Sex: sex, Dependant: !female})
		for range r.IntN(4) {
			age := r.IntN(18)
			sex := registry.SexMale
			if r.IntN(2) == 0 {
				sex = registry.SexFemale
			}
			p.Household = append(p.Household, registry.HouseholdMember{Relationship: registry.RelChild, Age: &age, Sex: sex, Dependant: true})
		}
	}
	if r.IntN(100) < 30 {
		age := 55 + r.IntN(25)
		p.Household = append(p.Household, registry.HouseholdMember{Relationship: registry.RelParent, Age: &age, Sex: registry.SexFemale, Dependant: true})
	}
	if r.IntN(100) < 12 {
		answers := []registry.WGAnswer{registry.WGNoDifficulty, registry.WGNoDifficulty, registry.WGSome, registry.WGALot}
		p.Disability = &registry.Disability{Seeing: answers[r.IntN(3)], Hearing: registry.WGNoDifficulty, Walking: answers[r.IntN(4)],
			Cognition: answers[r.IntN(3)], SelfCare: registry.WGNoDifficulty, Communication: registry.WGNoDifficulty}
	}
	return p
}

func newEpisode(r *rand.Rand, p registry.Person, ret time.Time, sylhet bool) registry.MigrationEpisode {
	female := p.Sex == registry.SexFemale
	e := registry.MigrationEpisode{DestinationCountry: maleDest.pick(r), Sector: maleSector.pick(r), VisaType: visas.pick(r), RecruitmentChannel: recruit.pick(r)}
	if female {
		e.DestinationCountry, e.Sector = femaleDest.pick(r), femaleSector.pick(r)
		if e.Sector == registry.SectorDomesticWork {
			e.VisaType = registry.VisaDomesticWorker
		}
	}
	if codes := isco[e.Sector]; len(codes) > 0 && r.IntN(100) < 85 {
		e.OccupationAbroad = codes[r.IntN(len(codes))]
	}
	years := 1 + r.IntN(8)
	dep := ret.AddDate(-years, -r.IntN(12), -r.IntN(28))
	if by := p.DateOfBirth.Year; by > 0 && dep.Year()-by < 18 {
		dep = time.Date(by+18+r.IntN(3), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		if !dep.Before(ret) {
			dep = ret.AddDate(0, -6, 0)
		}
	}
	e.DepartureDate = registry.DayDate(dep.Year(), int(dep.Month()), dep.Day())
	if r.IntN(100) < 30 {
		e.DepartureDate = registry.MonthDate(dep.Year(), int(dep.Month()))
	}
	cost := int64(250+r.IntN(500)) * 1000
	if e.DestinationCountry == "IT" || e.DestinationCountry == "KR" {
		cost *= 2
	}
	if r.IntN(100) < 80 {
		e.MigrationCost = &registry.Money{Amount: cost, Currency: "BDT"}
	}
	if r.IntN(100) < 55 {
		e.DebtOutstanding = &registry.Money{Amount: cost * int64(10+r.IntN(70)) / 100, Currency: "BDT"}
	}
	if r.IntN(100) < 60 {
		e.Remittances = &registry.Money{Amount: int64(years) * int64(60+r.IntN(200)) * 1000, Currency: "BDT"}
	}
	rt := &registry.Return{Date: registry.DateOf(ret), ReturnType: returnTypes.pick(r), PointOfEntry: "BD-DAC"}
	switch n := r.IntN(100); {
	case sylhet && n < 40:
		rt.PointOfEntry = "BD-ZYL"
	case n < 12:
		rt.PointOfEntry = "BD-CGP"
	}
	switch rt.ReturnType {
	case registry.ReturnDeported:
		rt.DocumentsOnArrival = []registry.ArrivalDocument{registry.ArrivalTravelPermit}
		rt.Reason = []string{"Arrested for expired iqama", "No valid work permit after the sponsor changed", "Raid at the workplace"}[r.IntN(3)]
	case registry.ReturnEndOfContract:
		rt.DocumentsOnArrival = []registry.ArrivalDocument{registry.ArrivalPassport}
		e.EndDate = registry.DateOf(ret.AddDate(0, 0, -r.IntN(20)))
		if e.EndDate.Before(e.DepartureDate) {
			e.EndDate = registry.Date{}
		}
	case registry.ReturnCrisisEvacuation:
		rt.DocumentsOnArrival = []registry.ArrivalDocument{registry.ArrivalTravelPermit}
		rt.Reason = "Evacuated during the conflict"
	default:
		rt.DocumentsOnArrival = []registry.ArrivalDocument{registry.ArrivalPassport}
		if r.IntN(2) == 0 {
			rt.Reason = []string{"Wages unpaid for months", "Illness", "Family needed them at home", "Employer closed the business"}[r.IntN(4)]
		}
	}
	e.Return = rt
	return e
}

func newConsents(r *rand.Rand, p registry.Person) []registry.Consent {
	if r.IntN(100) < 3 {
		return nil // refused everything but registration's legal basis is a public task
	}
	method := registry.MethodSignedForm
	witness := ""
	switch n := r.IntN(100); {
	case n < 20:
		method, witness = registry.MethodVerbalWithWitness, pickName(r, maleGiven).latin+" "+pickName(r, maleFamily).latin
	case n < 30:
		method = registry.MethodDigital
	}
	c := func(p registry.Purpose) registry.Consent {
		return registry.Consent{Purpose: p, Method: method, Witness: witness}
	}
	out := []registry.Consent{c(registry.PurposeRegistration)}
	if r.IntN(100) < 82 {
		ref := c(registry.PurposeReferral)
		ref.Recipient.OrgType = string(homeward.OrgServiceProvider)
		out = append(out, ref)
	}
	if r.IntN(100) < 60 {
		out = append(out, c(registry.PurposeContact))
	}
	if r.IntN(100) < 25 {
		out = append(out, c(registry.PurposeResearch))
	}
	// Every demo returnee agreed to suggestions (not drawn, so that the
	// rest of the demo world stays as it was).
	return append(out, c(registry.PurposeSuggestions))
}

// lifecycle plans the case's later history: status moves (a few weeks
// apart, never past now), vulnerability flags, a reassignment, and now and
// then a withdrawn consent.
func lifecycle(r *rand.Rand, c *demoCase, wctx, sctx context.Context, db *sqldb.DB, regAt, now time.Time, ep registry.MigrationEpisode, workers []*homeward.Actor) []op {
	var ops []op
	at := regAt
	later := func(minDays, maxDays int) bool {
		at = at.Add(time.Duration(minDays+r.IntN(maxDays-minDays+1))*24*time.Hour + time.Duration(r.IntN(6*3600))*time.Second)
		return at.Before(now.Add(-time.Hour))
	}
	update := func(ctx context.Context, upd registry.CaseUpdate) op {
		return op{at, func(context.Context) error {
			_, v, err := db.UpdateCase(ctx, c.rec.Case.ID, c.version, upd)
			if err != nil {
				return fmt.Errorf("demo case %s: %w", c.rec.Case.Number, err)
			}
			c.version = v
			return nil
		}}
	}
	// Flags are raised at the first step: one update carries them with it.
	var first registry.CaseUpdate
	if r.IntN(100) < 14 || ep.Return.ReturnType == registry.ReturnDeported && r.IntN(100) < 15 {
		fl := []registry.Vulnerability{flags.pick(r)}
		if ep.Return.ReturnType == registry.ReturnDeported && fl[0] != registry.VulnDetention && r.IntN(2) == 0 {
			fl = append(fl, registry.VulnDetention)
		}
		pr := registry.PriorityHigh
		if slices.Contains(fl, registry.VulnTraffickingVictim) || slices.Contains(fl, registry.VulnUrgentMedical) {
			pr = registry.PriorityUrgent
		}
		first.Vulnerabilities, first.Priority = &fl, &pr
	}
	// A supervisor hands some cases to a colleague.
	if len(workers) > 1 && r.IntN(100) < 10 {
		to := workers[r.IntN(len(workers))].UserID
		first.AssignedTo = &to
	}
	target := finalStatus.pick(r)
	path := []registry.CaseStatus{registry.StatusAssessed, registry.StatusPlanAgreed, registry.StatusInServices, registry.StatusMonitoring}
	for _, s := range path {
		if target == registry.StatusRegistered || !later(7, 40) {
			break
		}
		upd, ctx := first, wctx
		upd.Status = &s
		if upd.AssignedTo != nil {
			ctx = sctx
		}
		ops = append(ops, update(ctx, upd))
		first = registry.CaseUpdate{}
		if s == target {
			break
		}
	}
	if first.Vulnerabilities != nil || first.AssignedTo != nil {
		at = regAt
		if later(1, 5) {
			ctx := wctx
			if first.AssignedTo != nil {
				ctx = sctx
			}
			ops = append(ops, update(ctx, first))
		}
	}
	if target == registry.StatusClosed && later(20, 90) {
		closed := registry.StatusClosed
		ops = append(ops, update(sctx, registry.CaseUpdate{Status: &closed, ClosureReason: closures.pick(r)}))
	}
	// About one in twenty-five withdraws a consent (mostly referral).
	if r.IntN(100) < 4 {
		purpose := registry.PurposeReferral
		if r.IntN(3) == 0 {
			purpose = registry.PurposeContact
		}
		at = regAt
		if later(10, 200) {
			ops = append(ops, op{at, func(context.Context) error {
				for _, cs := range c.rec.Consents {
					if cs.Purpose == purpose && cs.WithdrawnAt == nil {
						return db.WithdrawConsent(wctx, cs.ID)
					}
				}
				return nil
			}})
		}
	}
	return ops
}

func newReception(r *rand.Rand, phones map[string]bool) *registry.Reception {
	female := r.IntN(100) < 20
	in := &registry.Reception{Sex: registry.SexMale, DestinationCountry: maleDest.pick(r), PointOfEntry: "BD-DAC",
		ReturnType: []registry.ReturnType{registry.ReturnDeported, registry.ReturnCrisisEvacuation, registry.ReturnAssistedVoluntary}[r.IntN(3)],
		Services:   []registry.ReceptionService{registry.ServiceInformation, registry.ServiceTransport}}
	g, f := pickName(r, maleGiven), pickName(r, maleFamily)
	if female {
		in.Sex, in.DestinationCountry = registry.SexFemale, femaleDest.pick(r)
		g, f = pickName(r, femaleGiven), pickName(r, femaleFamily)
	}
	in.GivenName, in.FamilyName = g.latin, f.latin
	if r.IntN(2) == 0 {
		in.FullNameNative = g.bangla + " " + f.bangla
	}
	age := 22 + r.IntN(30)
	in.ApproxAge = &age
	if r.IntN(100) < 80 {
		in.Phone = "0" + strings.TrimPrefix(phone(r, phones), "+880")
	}
	if r.IntN(3) == 0 {
		in.Services = append(in.Services, registry.ServiceEmergencyCash)
	}
	if r.IntN(8) == 0 {
		in.Services = append(in.Services, registry.ServiceMedicalReferral)
	}
	return in
}
