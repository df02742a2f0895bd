// Package gen generates South-Asian-style registries with known duplicates,
// for measuring the matcher: the same returnee registered several times with
// honorifics dropped or added, names spelt in other transliterations or in
// another order, a birth date known only to the year or written as 1 January
// or with day and month swapped, a new phone, a renewed passport and typos —
// among many different people who share common names, and siblings who share
// a father, a family name, an address and a phone.
package gen

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"homeward/internal/match"
	"homeward/internal/reference"
)

// Config says what to generate.
type Config struct {
	Records int     // total records, duplicates included
	DupRate float64 // share of people registered more than once (default 0.25)
	Sibling float64 // share of people who are a sibling of someone else in the file (default 0.1)
	// Distinct registers every person once, with a national ID of their
	// own (when they have one): a registry with no duplicates at all, on
	// which every pair the matcher raises is a false alarm.
	Distinct bool
	// Neighbours is the share of people who live in the village and union
	// of someone else in the file (not family; another house, often the
	// same ward) — default 0 (each person draws their own village).
	Neighbours float64
	Seed       uint64
}

// Registry is a generated registry.
type Registry struct {
	Records []match.Record // ID = ExternalID = "P<person>-<k>"
	Person  []int          // the true person of each record
	Returns []Return       // each record's return, the same for one person
}

// Return is the migration a generated person came back from: what the
// importer requires besides the person.
type Return struct {
	Destination string // ISO 3166 alpha-2
	Date        string // YYYY-MM-DD
	Type        string
}

// destinations are the main destinations of Bangladeshi workers, weighted
// roughly by the 2022 outflow (internal/reference/data/bgd_destinations_2022.csv).
var destinations = []struct {
	code   string
	weight int
}{{"SA", 55}, {"OM", 16}, {"AE", 9}, {"QA", 4}, {"SG", 6}, {"KW", 3}, {"MY", 3}, {"JO", 2}, {"BH", 1}, {"LB", 1}}

var returnTypes = []string{"end_of_contract", "end_of_contract", "end_of_contract", "voluntary", "deported", "assisted_voluntary", "crisis_evacuation"}

// returnOf draws person id's return from a stream of its own, so that the
// names and identifiers drawn for a seed stay what they were: a return
// between January 2023 and December 2025, in the past for any run.
func returnOf(id int) Return {
	r := rand.New(rand.NewPCG(uint64(id), 0x7e7))
	n, total := r.IntN(100), 0
	dest := destinations[0].code
	for _, d := range destinations {
		if total += d.weight; n < total {
			dest = d.code
			break
		}
	}
	date := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(3*365))
	return Return{Destination: dest, Date: date.Format(time.DateOnly), Type: returnTypes[r.IntN(len(returnTypes))]}
}

// upazilas are Bangladesh's upazila p-codes from the reference data.
var upazilas = sync.OnceValue(func() []string {
	var out []string
	for _, a := range reference.SearchAreas(reference.AreaFilter{Country: "BD", Level: "upazila"}) {
		out = append(out, a.Code)
	}
	return out
})

// realUpazila maps the drawn division, district and upazila numbers onto a
// real upazila p-code, so that every generated area exists.
func realUpazila(div, dist, upz int) string {
	u := upazilas()
	return u[(div*64*20+dist*20+upz)%len(u)]
}

// TruePairs returns the number of record pairs that are the same person.
func (r *Registry) TruePairs() int {
	n := map[int]int{}
	for _, p := range r.Person {
		n[p]++
	}
	t := 0
	for _, c := range n {
		t += c * (c - 1) / 2
	}
	return t
}

// PersonOf returns the true person encoded in a generated record ID.
func PersonOf(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}

type name struct {
	spellings []string
	bangla    string
}

func parse(list []string) []name {
	out := make([]name, len(list))
	for i, s := range list {
		sp, bn, _ := strings.Cut(s, "=")
		out[i] = name{spellings: strings.Split(sp, "|"), bangla: bn}
	}
	return out
}

var (
	males    = parse(maleGiven)
	females  = parse(femaleGiven)
	families = parse(family)
)

type person struct {
	id                  int
	male                bool
	given, fam          name
	father, fatherFam   name
	mother, motherFam   name
	y, m, d             int
	phone               string
	nid, passport       string
	upazila, postcode   string
	house, road, ward   int
	village, union      string
	honorific, nativeOK bool
	sibs                *siblings // the siblings, when the person has any
}

// siblings are the children of one household: the given names taken.
type siblings struct{ names map[string]bool }

// femaleFamily are family names only women carry.
var femaleFamily = map[string]bool{"Begum": true, "Khatun": true, "Akter": true, "Parvin": true, "Sultana": true, "Nahar": true, "Jahan": true}

type gen struct {
	r *rand.Rand
}

// zipf draws an index in [0, n) with a skew: the first names are far more
// common than the last.
func (g *gen) zipf(n int) int {
	x := math.Pow(g.r.Float64(), 2.2)
	return int(x * float64(n))
}

func (g *gen) pick(ss []string) string { return ss[g.r.IntN(len(ss))] }

func (g *gen) village() string {
	return g.pick(villageHeads) + strings.ToLower(g.pick(villageStems))
}

func (g *gen) newPerson(id int) *person {
	p := &person{id: id, male: g.r.IntN(100) < 62}
	if p.male {
		p.given = males[g.zipf(len(males))]
	} else {
		p.given = females[g.zipf(len(females))]
	}
	p.fam = families[g.zipf(len(families))]
	for p.male && femaleFamily[p.fam.spellings[0]] {
		p.fam = families[g.zipf(len(families))]
	}
	p.father = males[g.zipf(len(males))]
	p.fatherFam = p.fam
	if g.r.IntN(2) == 0 {
		p.fatherFam = families[g.zipf(len(families))]
	}
	p.mother = females[g.zipf(len(females))]
	p.motherFam = families[g.zipf(len(families))]
	p.y, p.m = 1960+g.r.IntN(43), 1+g.r.IntN(12)
	p.d = 1 + g.r.IntN(28)
	p.phone = fmt.Sprintf("01%d%08d", 3+g.r.IntN(7), g.r.IntN(100_000_000))
	if g.r.IntN(10) < 7 {
		p.nid = strconv.FormatInt(1_000_000_000+g.r.Int64N(9_000_000_000), 10)
	}
	if g.r.IntN(2) == 0 {
		p.passport = fmt.Sprintf("%c%c%07d", 'A'+rune(g.r.IntN(26)), 'A'+rune(g.r.IntN(26)), g.r.IntN(10_000_000))
	}
	div, dist, upz := 10+g.r.IntN(8)*5, 1+g.r.IntN(64), 1+g.r.IntN(20)
	p.upazila = realUpazila(div, dist, upz)
	p.postcode = fmt.Sprintf("%d%02d%d", 1+g.r.IntN(9), dist, upz%10)
	p.village, p.union = g.village(), g.village()
	p.house, p.road, p.ward = 1+g.r.IntN(300), 1+g.r.IntN(30), 1+g.r.IntN(9)
	p.honorific = g.r.IntN(100) < 60
	p.nativeOK = g.r.IntN(100) < 70
	return p
}

// sibling shares parents, family name, address and often the phone.
func (g *gen) sibling(id int, of *person) *person {
	p := g.newPerson(id)
	if of.sibs == nil {
		of.sibs = &siblings{names: map[string]bool{of.given.spellings[0]: true}}
	}
	p.sibs = of.sibs
	// Parents do not give two children the same name.
	for p.sibs.names[p.given.spellings[0]] {
		p.given = g.newPerson(id).given
	}
	p.sibs.names[p.given.spellings[0]] = true
	p.fam, p.father, p.fatherFam, p.mother, p.motherFam = of.fam, of.father, of.fatherFam, of.mother, of.motherFam
	p.upazila, p.postcode, p.village, p.union, p.house, p.road, p.ward = of.upazila, of.postcode, of.village, of.union, of.house, of.road, of.ward
	p.y = of.y + []int{-6, -4, -3, -2, 2, 3, 5, 7}[g.r.IntN(8)]
	if g.r.IntN(2) == 0 {
		p.phone = of.phone
	}
	return p
}

// neighbour lives in the village, union and usually the ward of another
// person, in another house; nothing else is shared.
func (g *gen) neighbour(id int, of *person) *person {
	p := g.newPerson(id)
	p.upazila, p.postcode, p.village, p.union = of.upazila, of.postcode, of.village, of.union
	if g.r.IntN(3) > 0 {
		p.ward = of.ward
	}
	return p
}

// spell picks a spelling: usually the first, sometimes another (a
// transliteration variant).
func (g *gen) spell(n name, variant float64) string {
	if len(n.spellings) > 1 && g.r.Float64() < variant {
		return n.spellings[1+g.r.IntN(len(n.spellings)-1)]
	}
	return n.spellings[0]
}

func (g *gen) typo(s string) string {
	if len(s) < 3 {
		return s
	}
	b := []byte(s)
	i := 1 + g.r.IntN(len(b)-2)
	switch g.r.IntN(4) {
	case 0: // substitute
		b[i] = "aeiournstlkmdh"[g.r.IntN(14)]
	case 1: // delete
		b = append(b[:i], b[i+1:]...)
	case 2: // insert
		b = append(b[:i], append([]byte{"aeiournh"[g.r.IntN(8)]}, b[i:]...)...)
	default: // transpose
		b[i], b[i-1] = b[i-1], b[i]
	}
	return string(b)
}

// render writes one registration of p. first is the first registration,
// written with fewer corruptions.
func (g *gen) render(p *person, k int) match.Record {
	first := k == 0
	rate := func(x float64) bool {
		if first {
			x /= 4
		}
		return g.r.Float64() < x
	}
	variant := 0.35
	if first {
		variant = 0.1
	}
	given := g.spell(p.given, variant)
	fam := g.spell(p.fam, variant)
	if rate(0.12) {
		given = g.typo(given)
	}
	if rate(0.08) {
		fam = g.typo(fam)
	}
	hon := p.honorific
	if rate(0.4) {
		hon = !hon
	}
	prefix := ""
	if hon {
		if p.male {
			prefix = g.pick([]string{"Md.", "Md", "Mohammad", "Muhammad", "Mohd.", "MD."})
		} else {
			prefix = g.pick([]string{"Mst.", "Most.", "Mosammat", "Mst"})
		}
	}
	rec := match.Record{}
	switch {
	case rate(0.1): // the whole name in the given-name field
		rec.GivenName = strings.TrimSpace(prefix + " " + given + " " + fam)
	case rate(0.1): // order swapped, honorific moved to the end
		rec.GivenName, rec.FamilyName = given, strings.TrimSpace(fam+" "+strings.TrimSuffix(prefix, "."))
	default:
		rec.GivenName, rec.FamilyName = strings.TrimSpace(prefix+" "+given), fam
	}
	if g.r.IntN(3) == 0 {
		rec.GivenName, rec.FamilyName = strings.ToUpper(rec.GivenName), strings.ToUpper(rec.FamilyName)
	}
	if p.nativeOK && p.given.bangla != "" && p.fam.bangla != "" && g.r.IntN(2) == 0 {
		rec.FullNameNative = p.given.bangla + " " + p.fam.bangla
		if hon && p.male {
			rec.FullNameNative = "মোঃ " + rec.FullNameNative
		}
	}
	if !rate(0.05) {
		rec.Sex = map[bool]string{true: "m", false: "f"}[p.male]
	}
	// Date of birth in the forms clerks write.
	switch {
	case rate(0.15):
		rec.DOB = strconv.Itoa(p.y)
	case rate(0.1):
		rec.DOB = fmt.Sprintf("%d-01-01", p.y)
	case rate(0.05) && p.d <= 12:
		rec.DOB = fmt.Sprintf("%02d/%02d/%d", p.m, p.d, p.y) // swapped
	case rate(0.05):
		rec.DOB = fmt.Sprintf("%d-%02d-%02d", p.y+[]int{-1, 1}[g.r.IntN(2)], p.m, p.d)
	case rate(0.04):
		rec.DOB = ""
	case g.r.IntN(3) == 0:
		rec.DOB = fmt.Sprintf("%02d/%02d/%d", p.d, p.m, p.y)
	default:
		rec.DOB = fmt.Sprintf("%d-%02d-%02d", p.y, p.m, p.d)
	}
	if !rate(0.1) {
		fh := ""
		if g.r.IntN(2) == 0 {
			fh = "Md. "
		}
		rec.FatherName = fh + g.spell(p.father, variant) + " " + g.spell(p.fatherFam, variant)
		if rate(0.08) {
			rec.FatherName = g.typo(rec.FatherName)
		}
	}
	if !rate(0.3) {
		rec.MotherName = g.spell(p.mother, variant) + " " + g.spell(p.motherFam, variant)
	}
	switch {
	case rate(0.4):
		rec.Phones = []string{fmt.Sprintf("01%d%08d", 3+g.r.IntN(7), g.r.IntN(100_000_000))} // new phone
	case rate(0.1):
	case g.r.IntN(3) == 0:
		rec.Phones = []string{"+880" + p.phone[1:]}
	default:
		rec.Phones = []string{p.phone}
	}
	if p.nid != "" && !rate(0.3) {
		rec.NationalID = p.nid
		if rate(0.03) {
			rec.NationalID = g.typo(p.nid)
		}
	}
	if p.passport != "" && !rate(0.3) {
		rec.Passport = p.passport
		if rate(0.3) { // renewed: new series, sometimes a new number
			if g.r.IntN(2) == 0 {
				rec.Passport = fmt.Sprintf("%c%c%s", 'A'+rune(g.r.IntN(26)), 'A'+rune(g.r.IntN(26)), p.passport[2:])
			} else {
				rec.Passport = fmt.Sprintf("%c%c%07d", 'A'+rune(g.r.IntN(26)), 'A'+rune(g.r.IntN(26)), g.r.IntN(10_000_000))
			}
		}
	}
	rec.AdminArea = p.upazila
	if rate(0.2) {
		rec.AdminArea = p.upazila[:6] // district only
	}
	if !rate(0.15) {
		rec.Postcode = p.postcode
	}
	village := p.village
	if rate(0.15) {
		village = g.typo(village)
	}
	switch g.r.IntN(5) {
	case 4:
		rec.Address = fmt.Sprintf("%s, ward %d, house %d", village, p.ward, p.house)
	case 0:
		rec.Address = fmt.Sprintf("House %d, Road %d, Vill. %s, Union %s", p.house, p.road, village, p.union)
	case 1:
		rec.Address = fmt.Sprintf("Vill: %s, PO: %s", village, p.union)
	case 2:
		rec.Address = fmt.Sprintf("%s, %s union, H-%d", village, p.union, p.house)
	default:
		rec.Address = fmt.Sprintf("village %s", village)
	}
	return rec
}

// Generate makes a registry. The same Config always gives the same records.
func Generate(cfg Config) *Registry {
	if cfg.DupRate == 0 && !cfg.Distinct {
		cfg.DupRate = 0.25
	}
	if cfg.Sibling == 0 {
		cfg.Sibling = 0.1
	}
	g := &gen{r: rand.New(rand.NewPCG(cfg.Seed, 42))}
	reg := &Registry{}
	var people []*person
	nids := map[string]bool{}
	for id := 0; len(reg.Records) < cfg.Records; id++ {
		var p *person
		switch x := g.r.Float64(); {
		case len(people) > 0 && x < cfg.Sibling:
			p = g.sibling(id, people[g.r.IntN(len(people))])
		case len(people) > 0 && x < cfg.Sibling+cfg.Neighbours:
			p = g.neighbour(id, people[g.r.IntN(len(people))])
		default:
			p = g.newPerson(id)
		}
		if cfg.Distinct && p.nid != "" {
			for nids[p.nid] {
				p.nid = strconv.FormatInt(1_000_000_000+g.r.Int64N(9_000_000_000), 10)
			}
			nids[p.nid] = true
		}
		if len(people) < 100_000 {
			people = append(people, p)
		} else {
			people[g.r.IntN(len(people))] = p
		}
		n := 1
		if !cfg.Distinct && g.r.Float64() < cfg.DupRate {
			n += 1 + g.zipf(3)
		}
		for k := 0; k < n && len(reg.Records) < cfg.Records; k++ {
			rec := g.render(p, k)
			rec.ID = fmt.Sprintf("P%07d-%d", id, k)
			rec.ExternalID = rec.ID
			reg.Records = append(reg.Records, rec)
			reg.Person = append(reg.Person, id)
			reg.Returns = append(reg.Returns, returnOf(id))
		}
	}
	// Registrations arrive in no particular order.
	g.r.Shuffle(len(reg.Records), func(i, j int) {
		reg.Records[i], reg.Records[j] = reg.Records[j], reg.Records[i]
		reg.Person[i], reg.Person[j] = reg.Person[j], reg.Person[i]
		reg.Returns[i], reg.Returns[j] = reg.Returns[j], reg.Returns[i]
	})
	return reg
}

// WriteCSV writes the registry in the import CSV format: every column the
// importer requires, so that `homeward import` takes the file as it is.
// Values the importer would refuse — a national ID typed with a letter or a
// digit too few, an area name garbled past recognition, a missing sex — are
// written blank (sex "unknown"), so the whole file imports; the registry in
// memory keeps them as generated, for the matcher's evaluations.
func (r *Registry) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"external_id", "given_name", "family_name", "full_name_native", "sex", "date_of_birth",
		"father_name", "mother_name", "phone", "national_id", "passport_number", "admin_area", "address", "postcode",
		"destination_country", "return_date", "return_type"})
	for i, rec := range r.Records {
		ret := r.Returns[i]
		sex, nid, area := rec.Sex, rec.NationalID, rec.AdminArea
		if sex == "" {
			sex = "unknown"
		}
		if !validNID(nid) {
			nid = ""
		}
		if area != "" && reference.Area(area) == nil {
			area = ""
		}
		if err := cw.Write([]string{rec.ExternalID, rec.GivenName, rec.FamilyName, rec.FullNameNative, sex, rec.DOB,
			rec.FatherName, rec.MotherName, strings.Join(rec.Phones, ";"), nid, rec.Passport, area, rec.Address, rec.Postcode,
			ret.Destination, ret.Date, ret.Type}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Run implements `homeward bench gen`: it writes a generated registry in the
// import CSV format to stdout. The external_id is P<person>-<k>, so records
// with the same P-number are the same person.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 50_000, "number of records to generate (duplicates included)")
	dup := fs.Float64("dup-rate", 0.25, "share of people registered more than once")
	sib := fs.Float64("siblings", 0.1, "share of people who are siblings of someone else in the file")
	seed := fs.Uint64("seed", 1, "random seed (the same seed gives the same file)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: homeward bench gen [flags] > registry.csv\n\nWrites a synthetic South-Asian registry with known duplicates (same P-number in external_id = same person).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("bench gen: unexpected argument %q", fs.Arg(0))
	}
	if *n < 0 || *dup < 0 || *dup > 1 || *sib < 0 || *sib > 1 {
		return fmt.Errorf("bench gen: -n must be ≥ 0 and rates within 0..1")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	reg := Generate(Config{Records: *n, DupRate: *dup, Sibling: *sib, Seed: *seed})
	return reg.WriteCSV(stdout)
}

// validNID reports whether s is empty or has the 10, 13 or 17 digits of a
// Bangladeshi national ID.
func validNID(s string) bool {
	if s == "" {
		return true
	}
	if n := len(s); n != 10 && n != 13 && n != 17 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}
