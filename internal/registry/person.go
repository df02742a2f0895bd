package registry

import (
	"strings"
	"time"
	"unicode"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/reference"
)

// Person is a returnee as the registry knows them. Identity documents (the
// national ID and passport among them) live only in Documents, so that there
// is one place to edit them; NationalID and PassportNumber read them for
// display, search and import.
type Person struct {
	ID             string            `json:"id,omitempty"`
	OrgID          string            `json:"org_id,omitempty"`
	ExternalID     string            `json:"external_id,omitempty"` // the importing organisation's own identifier
	GivenName      string            `json:"given_name,omitempty"`  // Latin script
	FamilyName     string            `json:"family_name,omitempty"` // Latin script
	FullNameNative string            `json:"full_name_native,omitempty"`
	Aliases        []string          `json:"aliases,omitempty"`
	Sex            Sex               `json:"sex"`
	DateOfBirth    Date              `json:"date_of_birth,omitzero"`
	FatherName     string            `json:"father_name,omitempty"`
	MotherName     string            `json:"mother_name,omitempty"`
	Documents      []Document        `json:"documents,omitempty"`
	Phones         []string          `json:"phones,omitempty"` // E.164 after Normalize
	Address        Address           `json:"address,omitzero"`
	Household      []HouseholdMember `json:"household,omitempty"`
	Education      Education         `json:"education,omitempty"`
	Languages      []string          `json:"languages,omitempty"` // ISO 639-1
	Disability     *Disability       `json:"disability,omitempty"`
}

// DocumentType is the kind of an identity document.
type DocumentType string

// The identity document types.
const (
	DocNationalID        DocumentType = "national_id"
	DocPassport          DocumentType = "passport"
	DocBirthRegistration DocumentType = "birth_registration"
	DocOther             DocumentType = "other"
)

// DocumentTypes lists every DocumentType.
var DocumentTypes = []DocumentType{DocNationalID, DocPassport, DocBirthRegistration, DocOther}

// Document is an identity document. Number is kept upper-case without spaces
// or dashes (see NormalizeDocumentNumber) so that search finds it however it
// was typed.
type Document struct {
	Type           DocumentType `json:"type"`
	Number         string       `json:"number"`
	IssuingCountry string       `json:"issuing_country,omitempty"` // ISO alpha-2
	ValidUntil     Date         `json:"valid_until,omitzero"`
}

// Address is where the person lives: an administrative area (p-code of a
// district or upazila), free text for the village, road or house, and a postcode.
type Address struct {
	AdminArea string `json:"admin_area,omitempty"`
	Text      string `json:"text,omitempty"`
	Postcode  string `json:"postcode,omitempty"`
}

// IsZero reports whether no part of the address is known.
func (a Address) IsZero() bool { return a == Address{} }

// Relationship is a household member's relation to the returnee.
type Relationship string

// The household relationships.
const (
	RelSpouse        Relationship = "spouse"
	RelChild         Relationship = "child"
	RelParent        Relationship = "parent"
	RelSibling       Relationship = "sibling"
	RelGrandparent   Relationship = "grandparent"
	RelGrandchild    Relationship = "grandchild"
	RelInLaw         Relationship = "in_law"
	RelOtherRelative Relationship = "other_relative"
	RelOther         Relationship = "other"
)

// Relationships lists every Relationship.
var Relationships = []Relationship{RelSpouse, RelChild, RelParent, RelSibling, RelGrandparent, RelGrandchild, RelInLaw, RelOtherRelative, RelOther}

// HouseholdMember is someone who lives with the returnee. Dependant says
// whether they rely on the returnee's income.
type HouseholdMember struct {
	Relationship Relationship `json:"relationship"`
	Age          *int         `json:"age,omitempty"`
	Sex          Sex          `json:"sex,omitempty"`
	Dependant    bool         `json:"dependant"`
}

// Education is the highest level of schooling completed.
type Education string

// The education levels (Bangladesh's terms in brackets).
const (
	EduNone            Education = "none"
	EduPrimary         Education = "primary"          // class 1–5 (PEC)
	EduLowerSecondary  Education = "lower_secondary"  // class 6–8 (JSC)
	EduSecondary       Education = "secondary"        // SSC / Dakhil / matric
	EduHigherSecondary Education = "higher_secondary" // HSC / Alim / intermediate
	EduVocational      Education = "vocational"       // TVET certificate or diploma
	EduTertiary        Education = "tertiary"         // bachelor or above
	EduReligious       Education = "religious"        // Qawmi madrasa only
	EduUnknown         Education = "unknown"
)

// EducationLevels lists every Education.
var EducationLevels = []Education{EduNone, EduPrimary, EduLowerSecondary, EduSecondary, EduHigherSecondary, EduVocational, EduTertiary, EduReligious, EduUnknown}

// NationalID returns the number of the first national ID document, or "".
func (p *Person) NationalID() string { return p.documentNumber(DocNationalID) }

// PassportNumber returns the number of the first passport, or "".
func (p *Person) PassportNumber() string { return p.documentNumber(DocPassport) }

func (p *Person) documentNumber(t DocumentType) string {
	for _, d := range p.Documents {
		if d.Type == t {
			return d.Number
		}
	}
	return ""
}

// DisplayName returns the Latin name, or the native-script name when there is
// no Latin one.
func (p *Person) DisplayName() string {
	if n := strings.TrimSpace(p.GivenName + " " + p.FamilyName); n != "" {
		return n
	}
	return p.FullNameNative
}

// Normalize tidies the person in place before validation and storage: trims
// and collapses spaces in names, upper-cases country codes and document
// numbers, turns phone numbers into E.164 (with defaultCountry for local
// forms; numbers that do not parse are left for Validate to report), and
// lower-cases language codes.
func (p *Person) Normalize(defaultCountry string) {
	p.GivenName, p.FamilyName, p.FullNameNative = clean(p.GivenName), clean(p.FamilyName), clean(p.FullNameNative)
	p.FatherName, p.MotherName = clean(p.FatherName), clean(p.MotherName)
	p.ExternalID = strings.TrimSpace(p.ExternalID)
	for i := range p.Aliases {
		p.Aliases[i] = clean(p.Aliases[i])
	}
	if p.Sex == "" {
		p.Sex = SexUnknown
	}
	for i := range p.Documents {
		d := &p.Documents[i]
		if c := reference.CountryByCode(d.IssuingCountry); c != nil {
			d.IssuingCountry = c.Alpha2
		}
		d.Number = normalizeDocument(d.Type, d.IssuingCountry, d.Number)
	}
	for i, ph := range p.Phones {
		if e164, err := ParsePhone(ph, defaultCountry); err == nil {
			p.Phones[i] = e164
		}
	}
	p.Address.AdminArea = strings.ToUpper(strings.TrimSpace(p.Address.AdminArea))
	p.Address.Text, p.Address.Postcode = clean(p.Address.Text), strings.TrimSpace(p.Address.Postcode)
	for i := range p.Languages {
		p.Languages[i] = strings.ToLower(strings.TrimSpace(p.Languages[i]))
	}
}

// NormalizeDocumentNumber upper-cases a document number and removes spaces,
// dashes, dots and slashes ("ab 123-4567" → "AB1234567"); digits in Bangla or
// Arabic script become ASCII.
func NormalizeDocumentNumber(s string) string {
	s = homeward.ASCIIDigits(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '/', '\u00a0', '\t':
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
}

// normalizeDocument normalises a document's number (NormalizeDocumentNumber)
// unless the issuing country writes it with dashes and they are in the wrong
// places ("352-0212345671" for a CNIC): that number is kept as typed, with
// its dashes, for Validate to refuse rather than guessed at.
func normalizeDocument(t DocumentType, issuer, number string) string {
	if p := country.Lookup(issuer); p != nil {
		ascii := strings.ToUpper(strings.TrimSpace(homeward.ASCIIDigits(number)))
		if rule := p.Identifier(string(t)); rule != nil && !rule.Written(ascii) {
			return ascii
		}
	}
	return NormalizeDocumentNumber(number)
}

// ShowDocumentNumber writes a stored document number the way its issuing
// country writes it (a CNIC as 35202-1234567-1), or unchanged.
func ShowDocumentNumber(t DocumentType, issuer, number string) string {
	if p := country.Lookup(issuer); p != nil {
		return p.Identifier(string(t)).Show(number)
	}
	return number
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isAlnum reports whether s is non-empty and only A–Z and 0–9.
func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && (s[i] < 'A' || s[i] > 'Z') {
			return false
		}
	}
	return s != ""
}

// checkDocumentNumber returns a catalog key and English message when number
// is not a plausible number for a document of type t issued by country.
func checkDocumentNumber(t DocumentType, issuer, number string) (key, msg string) {
	n := len(number)
	var rule *country.Identifier
	if p := country.Lookup(issuer); p != nil {
		rule = p.Identifier(string(t))
	}
	switch {
	case rule != nil && !rule.Written(number):
		return "country.document.format", "The number is not written like " + rule.Format + ": give it without dashes, or with them in those places."
	case !isAlnum(number):
		return "registry.document.chars", "A document number has only letters and digits."
	case rule != nil && !rule.Valid(number):
		return rule.Key, rule.Message
	case t == DocPassport && (n < 6 || n > 12):
		return "registry.document.passport_length", "A passport number has 6 to 12 letters and digits."
	case n < 4 || n > 30:
		return "registry.document.length", "A document number has 4 to 30 letters and digits."
	}
	return "", ""
}

// ISO 639-1 codes, for the languages a person speaks.
var iso6391 = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
	da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is
	it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd
	ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv
	sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu`) {
		m[c] = true
	}
	return m
}()

// ValidLanguage reports whether code is an ISO 639-1 language code.
func ValidLanguage(code string) bool { return iso6391[code] }

// isLatinName reports whether s is written in Latin letters with the
// punctuation names use.
func isLatinName(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) || unicode.IsDigit(r) ||
			!unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && !strings.ContainsRune(" .-'’", r) {
			return false
		}
	}
	return true
}

// isNativeName reports whether s is written in Bangla or Arabic script (which
// Urdu and Kurdish Sorani also use).
func isNativeName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Bengali, unicode.Arabic):
			if unicode.IsLetter(r) {
				letters++
			}
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || strings.ContainsRune(" .-'’\u200c\u200d", r):
		default:
			return false
		}
	}
	return letters > 0
}

// Validate checks the person and returns every problem at once. now is the
// time of the check (dates of birth may not lie after it).
func (p *Person) Validate(now time.Time) error {
	var v homeward.Validation
	p.validate(&v, now)
	return v.Err()
}

func (p *Person) validate(v *homeward.Validation, now time.Time) {
	if p.GivenName == "" && p.FullNameNative == "" {
		v.Add("given_name", "registry.person.name_required", "Enter the given name in Latin letters or the full name in Bangla, Arabic or Urdu script.")
	}
	for _, f := range []struct{ field, val string }{{"given_name", p.GivenName}, {"family_name", p.FamilyName}} {
		if !tooLong(v, f.field, f.val, maxName) && !isLatinName(f.val) {
			v.Add(f.field, "registry.person.name_latin", "Write this name in Latin letters; use full_name_native for Bangla, Arabic or Urdu script.")
		}
	}
	if p.FullNameNative != "" && !tooLong(v, "full_name_native", p.FullNameNative, maxName) && !isNativeName(p.FullNameNative) {
		v.Add("full_name_native", "registry.person.name_native", "Write the native name in Bangla, Arabic or Urdu script.")
	}
	if !listLimit(v, "aliases", len(p.Aliases), maxAliases) {
		for i, a := range p.Aliases {
			if a == "" {
				required(v, idx("aliases", i))
			} else {
				checkText(v, idx("aliases", i), a, maxName)
			}
		}
	}
	if p.Sex == "" {
		required(v, "sex")
	} else if !validChoice(p.Sex, Sexes) {
		choiceErr(v, "sex", string(p.Sex))
	}
	checkBirthDate(v, "date_of_birth", p.DateOfBirth, now)
	checkText(v, "father_name", p.FatherName, maxName)
	checkText(v, "mother_name", p.MotherName, maxName)
	checkText(v, "external_id", p.ExternalID, maxShort)
	if !listLimit(v, "documents", len(p.Documents), maxList) {
		seen := map[string]int{}
		for i, d := range p.Documents {
			d.validate(v, idx("documents", i))
			k := string(d.Type) + "|" + d.IssuingCountry + "|" + d.Number
			if j, dup := seen[k]; dup && d.Number != "" {
				v.AddArgs(idx("documents", i), "registry.document.duplicate", map[string]any{"index": j + 1}, "This document is listed twice (see document %d).", j+1)
			}
			seen[k] = i
		}
	}
	if !listLimit(v, "phones", len(p.Phones), 10) {
		seen := map[string]bool{}
		for i, ph := range p.Phones {
			e164, err := ParsePhone(ph, "")
			if err != nil {
				_ = v.Merge(idx("phones", i), err)
			} else if e164 != ph {
				v.Add(idx("phones", i), "registry.phone.not_e164", "Store phone numbers in E.164 form, such as +8801712345678.")
			} else if seen[ph] {
				v.Add(idx("phones", i), "registry.phone.duplicate", "This phone number is listed twice.")
			}
			seen[ph] = true
		}
	}
	p.Address.validate(v, "address")
	if !listLimit(v, "household", len(p.Household), 30) {
		for i, m := range p.Household {
			m.validate(v, idx("household", i))
		}
	}
	if p.Education != "" && !validChoice(p.Education, EducationLevels) {
		choiceErr(v, "education", string(p.Education))
	}
	if !listLimit(v, "languages", len(p.Languages), 20) {
		for i, l := range p.Languages {
			if !ValidLanguage(l) {
				v.AddArgs(idx("languages", i), "registry.language.invalid", map[string]any{"value": l}, "“%s” is not an ISO 639-1 language code (such as bn, en, ar, ur).", l)
			}
		}
	}
	if p.Disability != nil {
		p.Disability.validate(v, "disability")
	}
}

// checkBirthDate rejects dates of birth that cannot be true: in the future or
// more than MaxAge years ago.
func checkBirthDate(v *homeward.Validation, field string, d Date, now time.Time) {
	switch {
	case d.IsZero():
	case !d.Valid():
		v.Add(field, "registry.date.invalid_parts", "This is not a real calendar date.")
	case d.AfterTime(now):
		v.Add(field, "registry.person.born_future", "The date of birth is in the future.")
	case d.Latest().Before(DateOf(now).Earliest().AddDate(-MaxAge-1, 0, 0)):
		v.AddArgs(field, "registry.person.too_old", map[string]any{"max": MaxAge}, "The date of birth makes the person older than %d years.", MaxAge)
	}
}

func (d Document) validate(v *homeward.Validation, field string) {
	if d.Type == "" {
		required(v, field+".type")
	} else if !validChoice(d.Type, DocumentTypes) {
		choiceErr(v, field+".type", string(d.Type))
	}
	if d.Number == "" {
		required(v, field+".number")
	} else if key, msg := checkDocumentNumber(d.Type, d.IssuingCountry, d.Number); key != "" {
		args := map[string]any{"value": d.Number}
		if p := country.Lookup(d.IssuingCountry); p != nil && p.Identifier(string(d.Type)) != nil {
			args["format"] = p.Identifier(string(d.Type)).Format
		}
		v.AddArgs(field+".number", key, args, "%s", msg)
	}
	if d.IssuingCountry == "" {
		if d.Type == DocPassport || d.Type == DocNationalID {
			required(v, field+".issuing_country")
		}
	} else if c := reference.CountryByCode(d.IssuingCountry); c == nil || c.Alpha2 != d.IssuingCountry {
		v.AddArgs(field+".issuing_country", "error.field.invalid_country", map[string]any{"value": d.IssuingCountry}, "“%s” is not a known ISO 3166 country code.", d.IssuingCountry)
	}
	if !d.ValidUntil.IsZero() && !d.ValidUntil.Valid() {
		v.Add(field+".valid_until", "registry.date.invalid_parts", "This is not a real calendar date.")
	}
}

func (a Address) validate(v *homeward.Validation, field string) {
	var areaCountry string
	if a.AdminArea != "" {
		area := reference.Area(a.AdminArea)
		switch {
		case area == nil || area.Code != a.AdminArea:
			v.AddArgs(field+".admin_area", "error.field.invalid_pcode", map[string]any{"value": a.AdminArea}, "“%s” is not a known administrative area (p-code).", a.AdminArea)
		case area.Level == "division" || area.Level == "province" || area.Level == "governorate":
			v.Add(field+".admin_area", "registry.address.too_coarse", "Choose at least the district, not only the division or province.")
		default:
			areaCountry = area.Country
		}
	}
	checkText(v, field+".text", a.Text, 500)
	if a.Postcode != "" {
		n := 0
		if p := country.Lookup(areaCountry); p != nil {
			n = p.PostcodeDigits
		}
		if n > 0 && (len(a.Postcode) != n || !allDigits(a.Postcode)) {
			v.AddArgs(field+".postcode", "registry.address.postcode", map[string]any{"value": a.Postcode, "digits": n}, "“%s” is not a postcode: it has %d digits here.", a.Postcode, n)
		} else if len(a.Postcode) > 10 {
			tooLong(v, field+".postcode", a.Postcode, 10)
		}
	}
}

func (m HouseholdMember) validate(v *homeward.Validation, field string) {
	if m.Relationship == "" {
		required(v, field+".relationship")
	} else if !validChoice(m.Relationship, Relationships) {
		choiceErr(v, field+".relationship", string(m.Relationship))
	}
	if m.Age != nil && (*m.Age < 0 || *m.Age > MaxAge) {
		v.AddArgs(field+".age", "registry.age.range", map[string]any{"max": MaxAge}, "The age must be between 0 and %d.", MaxAge)
	}
	if m.Sex != "" && !validChoice(m.Sex, Sexes) {
		choiceErr(v, field+".sex", string(m.Sex))
	}
}
