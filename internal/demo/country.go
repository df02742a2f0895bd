package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// countryWorld is the demo world of a country other than Bangladesh: its
// organisations, who registers where, and the names, numbers and journeys
// of its returnees. The organisations and people are invented; the
// ministries and areas are the country's own.
type countryWorld struct {
	orgs       []Org
	registrars []demoOrg
	male       []name // latin and native script (Arabic, Sorani or Urdu)
	female     []name
	family     []name
	// kurdish names are given by the organisations registering in the
	// Kurdistan Region (key → true).
	kurdish                          map[string]bool
	kurdMale, kurdFemale, kurdFamily []name
	ports                            []string
	currency                         string
	dest                             *weighted[string]
	nationalID                       func(r *rand.Rand) string
	passport                         func(r *rand.Rand) string
	phone                            func(r *rand.Rand) string
}

var iraqGovernorates = []string{"IQG01", "IQG02", "IQG06", "IQG08", "IQG09", "IQG11"}

var countryWorlds = map[string]*countryWorld{
	"IQ": {
		orgs: []Org{
			{Key: "ministry", Org: homeward.Organisation{Name: "Ministry of Migration and Displaced", ShortName: "MoMD", Type: homeward.OrgMinistry, Country: "IQ", Areas: iraqGovernorates, Operator: true},
				Users: []User{
					u("admin@momd.demo", "Ali Kadhim", "ar", homeward.RoleAdministrator),
					u("supervisor@momd.demo", "Zainab Al-Saadi", "ar", homeward.RoleSupervisor),
					u("caseworker@momd.demo", "Mustafa Jassim", "ar", homeward.RoleCaseWorker),
					u("me@momd.demo", "Huda Al-Tamimi", "en", homeward.RoleMEAnalyst),
				}},
			{Key: "hawkari", Org: homeward.Organisation{Name: "Hawkari Returnee Support (Erbil)", ShortName: "Hawkari", Type: homeward.OrgNGO, Country: "IQ", Areas: []string{"IQG11Q02", "IQG11Q06", "IQG06Q01"}},
				Users: []User{
					u("admin@hawkari.demo", "Shilan Qadir", "ckb", homeward.RoleAdministrator),
					u("supervisor@hawkari.demo", "Rebwar Aziz", "ckb", homeward.RoleSupervisor),
					u("caseworker@hawkari.demo", "Kawa Ahmed", "ckb", homeward.RoleCaseWorker),
				}},
			{Key: "daralamal", Org: homeward.Organisation{Name: "Dar Al-Amal Returnee Assistance (Baghdad)", ShortName: "Dar Al-Amal", Type: homeward.OrgNGO, Country: "IQ", Areas: []string{"IQG08Q03", "IQG08Q06", "IQG08Q01"}},
				Users: []User{
					u("supervisor@daralamal.demo", "Maryam Hassan", "ar", homeward.RoleSupervisor),
					u("caseworker@daralamal.demo", "Haider Al-Rubaie", "ar", homeward.RoleCaseWorker),
				}},
			{Key: "evtc", Org: homeward.Organisation{Name: "Erbil Vocational Training Centre", ShortName: "EVTC", Type: homeward.OrgServiceProvider, Country: "IQ", Areas: []string{"IQG11"}},
				Users: []User{u("staff@evtc.demo", "Karwan Salih", "ckb", homeward.RoleProviderStaff)}},
			{Key: "psc", Org: homeward.Organisation{Name: "Baghdad Psychosocial Support Centre", ShortName: "BPSC", Type: homeward.OrgServiceProvider, Country: "IQ", Areas: []string{"IQG08"}},
				Users: []User{u("counsellor@bpsc.demo", "Dr. Noor Al-Obaidi", "ar", homeward.RoleProviderStaff)}},
		},
		registrars: []demoOrg{
			{"hawkari", []string{"caseworker@hawkari.demo"}, "supervisor@hawkari.demo", []string{"IQG11Q02", "IQG11Q06", "IQG06Q01"}, 48},
			{"daralamal", []string{"caseworker@daralamal.demo"}, "supervisor@daralamal.demo", []string{"IQG08Q03", "IQG08Q06", "IQG08Q01"}, 42},
			{"ministry", []string{"caseworker@momd.demo"}, "supervisor@momd.demo", []string{"IQG02Q01", "IQG01Q03"}, 30},
		},
		male: []name{{"Mohammed", "محمد"}, {"Ali", "علي"}, {"Hussein", "حسين"}, {"Ahmed", "أحمد"}, {"Mustafa", "مصطفى"}, {"Abbas", "عباس"},
			{"Haider", "حيدر"}, {"Omar", "عمر"}, {"Khalid", "خالد"}, {"Yousif", "يوسف"}, {"Karrar", "كرار"}, {"Sajjad", "سجاد"}},
		female: []name{{"Fatima", "فاطمة"}, {"Zainab", "زينب"}, {"Maryam", "مريم"}, {"Noor", "نور"}, {"Huda", "هدى"}, {"Sara", "سارة"}, {"Ruqaya", "رقية"}},
		family: []name{{"Al-Jubouri", "الجبوري"}, {"Al-Saadi", "الساعدي"}, {"Al-Tamimi", "التميمي"}, {"Al-Obaidi", "العبيدي"}, {"Kadhim", "كاظم"},
			{"Jassim", "جاسم"}, {"Hassan", "حسن"}, {"Al-Rubaie", "الربيعي"}},
		kurdish: map[string]bool{"hawkari": true},
		kurdMale: []name{{"Kawa", "کاوە"}, {"Rebwar", "ڕێبوار"}, {"Karwan", "کاروان"}, {"Hemin", "هێمن"}, {"Shwan", "شوان"}, {"Dilshad", "دلشاد"},
			{"Aram", "ئارام"}, {"Sherko", "شێرکۆ"}},
		kurdFemale: []name{{"Shilan", "شیلان"}, {"Nazdar", "نازدار"}, {"Chnar", "چنار"}, {"Tara", "تارا"}, {"Avin", "ئاڤین"}, {"Jwan", "جوان"}},
		kurdFamily: []name{{"Ahmed", "ئەحمەد"}, {"Mahmoud", "مەحموود"}, {"Qadir", "قادر"}, {"Rasul", "ڕەسووڵ"}, {"Aziz", "عەزیز"}, {"Karim", "کەریم"}, {"Salih", "ساڵح"}},
		ports:      []string{"IQ-BGW", "IQ-EBL", "IQ-ISU", "IQ-BSR", "IQ-IBRAHIM-KHALIL"},
		currency:   "IQD",
		dest:       newWeighted[string]("DE", 30, "TR", 20, "GR", 12, "SE", 10, "FI", 6, "BY", 8, "GB", 8, "NL", 6),
		nationalID: func(r *rand.Rand) string { return fmt.Sprintf("19%010d", r.Int64N(1e10)) },
		passport:   func(r *rand.Rand) string { return string(rune('A'+r.IntN(3))) + fmt.Sprintf("%08d", r.IntN(1e8)) },
		phone:      func(r *rand.Rand) string { return fmt.Sprintf("+9647%d%08d", 5+r.IntN(4), r.IntN(1e8)) },
	},
	"PK": {
		orgs: []Org{
			{Key: "ministry", Org: homeward.Organisation{Name: "Bureau of Emigration & Overseas Employment", ShortName: "BE&OE", Type: homeward.OrgMinistry, Country: "PK", Areas: []string{"PK5", "PK6"}, Operator: true},
				Users: []User{
					u("admin@beoe.demo", "Tariq Mehmood", "en", homeward.RoleAdministrator),
					u("supervisor@beoe.demo", "Saima Qureshi", "ur", homeward.RoleSupervisor),
					u("caseworker@beoe.demo", "Usman Malik", "ur", homeward.RoleCaseWorker),
					u("me@beoe.demo", "Rabia Iqbal", "en", homeward.RoleMEAnalyst),
				}},
			{Key: "roshni", Org: homeward.Organisation{Name: "Roshni Returnee Welfare Society (Lahore)", ShortName: "Roshni", Type: homeward.OrgNGO, Country: "PK", Areas: []string{"PK617", "PK609", "PK634"}},
				Users: []User{
					u("admin@roshni.demo", "Nasreen Akhtar", "ur", homeward.RoleAdministrator),
					u("supervisor@roshni.demo", "Faisal Butt", "ur", homeward.RoleSupervisor),
					u("caseworker@roshni.demo", "Ayesha Chaudhry", "ur", homeward.RoleCaseWorker),
				}},
			{Key: "sahara", Org: homeward.Organisation{Name: "Sahara Migrant Support (Peshawar)", ShortName: "Sahara", Type: homeward.OrgNGO, Country: "PK", Areas: []string{"PK528", "PK630"}},
				Users: []User{
					u("supervisor@sahara.demo", "Shahid Khan", "ur", homeward.RoleSupervisor),
					u("caseworker@sahara.demo", "Bilal Shah", "en", homeward.RoleCaseWorker),
				}},
			{Key: "ltsi", Org: homeward.Organisation{Name: "Lahore Technical Skills Institute", ShortName: "LTSI", Type: homeward.OrgServiceProvider, Country: "PK", Areas: []string{"PK617"}},
				Users: []User{u("staff@ltsi.demo", "Naveed Raza", "ur", homeward.RoleProviderStaff)}},
			{Key: "sukoon", Org: homeward.Organisation{Name: "Sukoon Counselling Centre", ShortName: "Sukoon", Type: homeward.OrgServiceProvider, Country: "PK", Areas: []string{"PK617", "PK630"}},
				Users: []User{u("counsellor@sukoon.demo", "Dr. Farzana Hussain", "ur", homeward.RoleProviderStaff)}},
		},
		registrars: []demoOrg{
			{"roshni", []string{"caseworker@roshni.demo"}, "supervisor@roshni.demo", []string{"PK617", "PK609", "PK634"}, 54},
			{"sahara", []string{"caseworker@sahara.demo"}, "supervisor@sahara.demo", []string{"PK528", "PK630"}, 40},
			{"ministry", []string{"caseworker@beoe.demo"}, "supervisor@beoe.demo", []string{"PK617", "PK528"}, 26},
		},
		male: []name{{"Imran", "عمران"}, {"Bilal", "بلال"}, {"Asif", "آصف"}, {"Tariq", "طارق"}, {"Usman", "عثمان"}, {"Waqas", "وقاص"},
			{"Naveed", "نوید"}, {"Zeeshan", "ذیشان"}, {"Faisal", "فیصل"}, {"Shahid", "شاہد"}},
		female: []name{{"Ayesha", "عائشہ"}, {"Nasreen", "نسرین"}, {"Sana", "ثنا"}, {"Rabia", "رابعہ"}, {"Saima", "صائمہ"}, {"Nazia", "نازیہ"}},
		family: []name{{"Khan", "خان"}, {"Ahmed", "احمد"}, {"Hussain", "حسین"}, {"Malik", "ملک"}, {"Butt", "بٹ"}, {"Chaudhry", "چوہدری"},
			{"Qureshi", "قریشی"}, {"Shah", "شاہ"}, {"Iqbal", "اقبال"}, {"Raza", "رضا"}},
		ports:    []string{"PK-LHE", "PK-ISB", "PK-KHI", "PK-PEW", "PK-SKT", "PK-TAFTAN"},
		currency: "PKR",
		dest:     newWeighted[string]("SA", 40, "AE", 25, "OM", 8, "QA", 6, "GR", 6, "IT", 5, "MY", 5, "GB", 5),
		nationalID: func(r *rand.Rand) string {
			return fmt.Sprintf("%d%04d%07d%d", 3+r.IntN(2), r.IntN(1e4), r.IntN(1e7), 1+r.IntN(9))
		},
		passport: func(r *rand.Rand) string {
			return string(rune('A'+r.IntN(26))) + string(rune('A'+r.IntN(26))) + fmt.Sprintf("%07d", r.IntN(1e7))
		},
		phone: func(r *rand.Rand) string { return fmt.Sprintf("+923%d%08d", r.IntN(5), r.IntN(1e8)) },
	},
}

// SeedCountry creates the demo world of the country code ("BD", "IQ",
// "PK"): Bangladesh's is Seed's; Iraq's and Pakistan's have a ministry,
// NGOs and providers of that country and returnees with cases in every
// state. An unknown code is an error naming the known ones.
func SeedCountry(ctx context.Context, db *sqldb.DB, code string) (*World, error) {
	p, err := country.Get(code)
	if err != nil {
		return nil, err
	}
	if p.Code == "BD" {
		return Seed(ctx, db)
	}
	cw := countryWorlds[p.Code]
	if cw == nil {
		return nil, fmt.Errorf("no demo world for %s yet", p.Code)
	}
	ctx = homeward.NewContextWithActor(ctx, homeward.SystemActor)
	w, err := seedOrgs(ctx, db, cw.orgs)
	if err != nil {
		return nil, err
	}
	if err := cw.seedPeople(ctx, db, w, p); err != nil {
		return nil, fmt.Errorf("demo registry: %w", err)
	}
	if err := seedAssessments(ctx, db, w, cw.orgs); err != nil {
		return nil, fmt.Errorf("demo assessments: %w", err)
	}
	if err := seedReferrals(ctx, db, w, countryBooks[p.Code]); err != nil {
		return nil, fmt.Errorf("demo referrals: %w", err)
	}
	return w, nil
}

// PrintCountryLogins writes the demo logins of the country code.
func PrintCountryLogins(out io.Writer, code string) {
	if cw := countryWorlds[code]; cw != nil {
		printLogins(out, cw.orgs)
		return
	}
	PrintLogins(out)
}

func (cw *countryWorld) seedPeople(ctx context.Context, db *sqldb.DB, w *World, p *country.Pack) error {
	r := rand.New(rand.NewPCG(2026, uint64(p.Code[0])<<8|uint64(p.Code[1])))
	realNow := db.Now
	now := realNow().UTC()
	var clock time.Time
	db.Now = func() time.Time { return clock }
	defer func() { db.Now = realNow }()
	start := now.AddDate(-2, 0, 0)
	var ops []op
	for _, o := range cw.registrars {
		org := w.Orgs[o.key]
		var workers []*homeward.Actor
		for _, e := range o.workers {
			workers = append(workers, actorOf(w, e, org))
		}
		sup := actorOf(w, o.supervisor, org)
		for i := range o.people {
			reg := cw.newRegistration(r, o, p, start, now)
			ret := reg.Episodes[0].Return.Date.Earliest()
			regAt := ret.Add(time.Duration(1+r.IntN(20))*24*time.Hour + time.Duration(6*3600+r.IntN(8*3600))*time.Second)
			if regAt.After(now.Add(-time.Hour)) {
				regAt = now.Add(-time.Hour)
			}
			c := &demoCase{}
			wctx := homeward.NewContextWithActor(ctx, workers[r.IntN(len(workers))])
			ops = append(ops, op{regAt, func(context.Context) error {
				rec, err := db.Register(wctx, reg)
				if err != nil {
					return fmt.Errorf("register %s: %w", reg.Person.DisplayName(), err)
				}
				c.rec, c.version = rec, 1
				return nil
			}})
			ops = append(ops, cw.walk(c, wctx, homeward.NewContextWithActor(ctx, sup), db, regAt, now, registry.CaseStatuses[i%len(registry.CaseStatuses)])...)
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

// walk moves a case along its lifecycle to target, a week apart each step,
// so that every state has cases.
func (cw *countryWorld) walk(c *demoCase, wctx, sctx context.Context, db *sqldb.DB, regAt, now time.Time, target registry.CaseStatus) []op {
	var ops []op
	at := regAt
	for _, s := range registry.CaseStatuses[1:] {
		if c := registry.CaseStatuses; slices.Index(c, s) > slices.Index(c, target) {
			break
		}
		at = at.Add(7 * 24 * time.Hour)
		if at.After(now.Add(-time.Hour)) {
			at = now.Add(-time.Hour) // a recent return moves faster
		}
		upd, ctx := registry.CaseUpdate{Status: &s}, wctx
		if s == registry.StatusClosed {
			upd.ClosureReason, ctx = registry.CloseSupportCompleted, sctx
		}
		ops = append(ops, op{at, func(context.Context) error {
			_, v, err := db.UpdateCase(ctx, c.rec.Case.ID, c.version, upd)
			if err != nil {
				return fmt.Errorf("demo case %s: %w", c.rec.Case.Number, err)
			}
			c.version = v
			return nil
		}})
	}
	return ops
}

func (cw *countryWorld) newRegistration(r *rand.Rand, o demoOrg, p *country.Pack, start, now time.Time) *registry.Registration {
	male, female, family := cw.male, cw.female, cw.family
	if cw.kurdish[o.key] && r.IntN(100) < 85 {
		male, female, family = cw.kurdMale, cw.kurdFemale, cw.kurdFamily
	}
	sex, given := registry.SexMale, pickName(r, male)
	if r.IntN(100) < 22 {
		sex, given = registry.SexFemale, pickName(r, female)
	}
	fam := pickName(r, family)
	by := 1975 + r.IntN(28)
	person := registry.Person{GivenName: given.latin, FamilyName: fam.latin, FullNameNative: given.bangla + " " + fam.bangla, Sex: sex,
		DateOfBirth: registry.DayDate(by, 1+r.IntN(12), 1+r.IntN(28)),
		Documents:   []registry.Document{{Type: registry.DocNationalID, Number: cw.nationalID(r), IssuingCountry: p.Code}},
		Phones:      []string{cw.phone(r)},
		Address:     registry.Address{AdminArea: o.districts[r.IntN(len(o.districts))]},
		Languages:   []string{p.Areas.Language},
	}
	if cw.kurdish[o.key] {
		person.Languages = []string{"ku", "ar"}
	}
	if r.IntN(100) < 60 {
		person.Documents = append(person.Documents, registry.Document{Type: registry.DocPassport, Number: cw.passport(r), IssuingCountry: p.Code})
	}
	ret := start.Add(time.Duration(r.Int64N(int64(now.Add(-10 * 24 * time.Hour).Sub(start)))))
	dep := ret.AddDate(-1-r.IntN(5), -r.IntN(12), 0)
	rt := &registry.Return{Date: registry.DateOf(ret), PointOfEntry: cw.ports[r.IntN(len(cw.ports))],
		ReturnType: []registry.ReturnType{registry.ReturnVoluntary, registry.ReturnAssistedVoluntary, registry.ReturnDeported, registry.ReturnEndOfContract}[r.IntN(4)]}
	ep := registry.MigrationEpisode{DestinationCountry: cw.dest.pick(r), DepartureDate: registry.MonthDate(dep.Year(), int(dep.Month())),
		Sector: []registry.Sector{registry.SectorConstruction, registry.SectorHospitality, registry.SectorTransport, registry.SectorAgriculture, registry.SectorRetail}[r.IntN(5)],
		Return: rt}
	if r.IntN(100) < 50 {
		ep.MigrationCost = &registry.Money{Amount: int64(2+r.IntN(10)) * 1_000_000, Currency: cw.currency}
	}
	consents := []registry.Consent{{Purpose: registry.PurposeRegistration, Method: registry.MethodSignedForm},
		{Purpose: registry.PurposeReferral, Method: registry.MethodSignedForm, Recipient: registry.Recipient{OrgType: string(homeward.OrgServiceProvider)}},
		{Purpose: registry.PurposeContact, Method: registry.MethodSignedForm}}
	return &registry.Registration{Person: person, Episodes: []registry.MigrationEpisode{ep}, Consents: consents}
}
