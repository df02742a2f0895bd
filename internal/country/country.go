// Package country holds Homeward's country packs: what differs between the
// countries an instance can serve (Bangladesh, Iraq, Pakistan …), kept as
// data, one folder per country under packs/ (pack.json, areas.csv and
// SOURCES.md). Adding a country is adding a folder. Packs are checked when
// they are loaded: a broken field is refused with the file and the field.
// The embedded packs are parsed once, on first use, and are read-only
// afterwards, so every function is safe for concurrent use.
package country

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed packs
var embedded embed.FS

// Default is the country an instance serves when none is chosen.
const Default = "BD"

// Pack is one country's data.
type Pack struct {
	// Code is the ISO 3166-1 alpha-2 code ("BD"); Alpha3 the alpha-3 code.
	Code   string `json:"code"`
	Alpha3 string `json:"alpha3"`
	// CasePrefix starts the country's case numbers ("BGD-2026-000123").
	CasePrefix string            `json:"case_prefix"`
	Names      map[string]string `json:"names"`
	// TimeZone is the IANA zone whose calendar says which day it is.
	TimeZone string `json:"time_zone"`
	// Languages are the interface languages offered, the first the
	// default for new users.
	Languages []string `json:"languages"`
	Areas     Areas    `json:"areas"`
	Phone     Phone    `json:"phone"`
	// PostcodeDigits is the number of digits of a postcode (0: not checked).
	PostcodeDigits int          `json:"postcode_digits"`
	Identifiers    []Identifier `json:"identifiers"`
	PointsOfEntry  []Port       `json:"points_of_entry"`
	// Weekend lists the days no one works ("friday", "saturday").
	Weekend []string `json:"weekend"`
	// Holidays are the dated public holidays, one entry a day (a
	// three-day Eid is three entries), when a source gives them.
	Holidays []Holiday `json:"holidays"`
	// ReturnTypes are the return types in local use (codes such as
	// "deported", with names in the pack's languages); empty means every
	// return type Homeward knows.
	ReturnTypes []Named `json:"return_types,omitempty"`
	// ReturnReasons are the reasons for return in local use, offered as
	// coded choices beside the free-text reason (codes such as
	// "contract_ended", with names in the pack's languages).
	ReturnReasons []Named `json:"return_reasons,omitempty"`
	// Unreviewed lists the languages in which some of the pack's own
	// texts (names of ports, holidays, return types and reasons,
	// services and providers; consent texts) are Homeward's own
	// translations awaiting a speaker's review; SOURCES.md says which.
	Unreviewed []string `json:"unreviewed,omitempty"`
	// Services is the national service catalogue (see Service); empty
	// means Homeward's general one, the default country's.
	Services []Service `json:"services,omitempty"`
	// ConsentTexts are the default texts read to a person before each
	// consent, by purpose ("referral") then language; a purpose or
	// language without one uses the message catalog's.
	ConsentTexts map[string]map[string]string `json:"consent_texts,omitempty"`

	weekend  map[time.Weekday]bool
	holidays map[string]bool
	areaCSV  []byte
	sources  string
	tiles    map[string]Tile
}

// Areas names the pack's administrative areas file and the language of its
// local names (the CSV's name_<language> column).
type Areas struct {
	File     string   `json:"file"`
	Language string   `json:"language"`
	Levels   []string `json:"levels"`
	// Tiles names an optional file placing each district on a grid
	// (code,row,col), for the dashboards' tile map of districts: where no
	// boundaries may be shipped, a tile per district keeps the country's
	// shape without claiming its borders.
	Tiles string `json:"tiles,omitempty"`
}

// Tile is a district's place on the tile map: row 0 is the north, column 0
// the west.
type Tile struct{ Row, Col int }

// Phone is a country's national numbering: its dialling code and the
// national significant numbers (without the trunk prefix 0) of mobiles and
// landlines.
type Phone struct {
	Dial     string     `json:"dial"`
	Mobile   NumberPlan `json:"mobile"`
	Landline NumberPlan `json:"landline"`
}

// NumberPlan describes one kind of national number: its lengths and the
// digits it may start with.
type NumberPlan struct {
	MinLength int      `json:"min_length"`
	MaxLength int      `json:"max_length"`
	Prefixes  []string `json:"prefixes"`
}

// Matches reports whether the national significant number nsn fits.
func (p NumberPlan) Matches(nsn string) bool {
	if len(nsn) < p.MinLength || len(nsn) > p.MaxLength {
		return false
	}
	for _, pre := range p.Prefixes {
		if strings.HasPrefix(nsn, pre) {
			return true
		}
	}
	return false
}

// Port is a point of entry: an airport, land crossing or seaport.
type Port struct {
	Code  string            `json:"code"`
	Kind  string            `json:"kind"` // airport, land_port, seaport
	Names map[string]string `json:"names"`
}

// Named is a coded value with names by language ("en" required).
type Named struct {
	Code  string            `json:"code"`
	Names map[string]string `json:"names"`
}

// Sources returns the pack's SOURCES.md.
func (p *Pack) Sources() string { return p.sources }

// AreaCSV returns the pack's administrative areas file.
func (p *Pack) AreaCSV() []byte { return p.areaCSV }

// Tiles returns the districts' places on the tile map by area code, or nil
// when the pack has none.
func (p *Pack) Tiles() map[string]Tile { return p.tiles }

// Name returns the country's name in lang, falling back to English.
func (p *Pack) Name(lang string) string {
	if n := p.Names[lang]; n != "" {
		return n
	}
	return p.Names["en"]
}

// Offers reports whether the pack offers the interface language lang.
func (p *Pack) Offers(lang string) bool {
	for _, l := range p.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Identifier returns the rule for documents of type typ ("national_id",
// "passport", "birth_registration"), or nil.
func (p *Pack) Identifier(typ string) *Identifier {
	for i := range p.Identifiers {
		if p.Identifiers[i].Type == typ {
			return &p.Identifiers[i]
		}
	}
	return nil
}

// Set is a loaded set of packs, by alpha-2 code.
type Set struct {
	packs map[string]*Pack
}

// Load reads every folder of fsys as a pack and checks it.
func Load(fsys fs.FS) (*Set, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	s := &Set{packs: map[string]*Pack{}}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p, err := loadPack(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		if _, dup := s.packs[p.Code]; dup {
			return nil, fmt.Errorf("country pack %s/pack.json: code: %s is already served by another folder", e.Name(), p.Code)
		}
		s.packs[p.Code] = p
	}
	if len(s.packs) == 0 {
		return nil, fmt.Errorf("country packs: no pack folder found")
	}
	return s, nil
}

// Get returns the pack of code (alpha-2, any case), or an error listing
// the known codes.
func (s *Set) Get(code string) (*Pack, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if p := s.packs[c]; p != nil {
		return p, nil
	}
	return nil, &UnknownError{Code: code, Known: s.Codes()}
}

// Codes returns the codes of the packs, sorted.
func (s *Set) Codes() []string {
	out := make([]string, 0, len(s.packs))
	for c := range s.packs {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// All returns the packs, sorted by code.
func (s *Set) All() []*Pack {
	var out []*Pack
	for _, c := range s.Codes() {
		out = append(out, s.packs[c])
	}
	return out
}

// UnknownError is a country code that no pack serves.
type UnknownError struct {
	Code  string
	Known []string
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("unknown country %q: the known countries are %s", e.Code, strings.Join(e.Known, ", "))
}

var (
	once    sync.Once
	builtin *Set
	loadErr error
)

// Builtin returns the embedded packs. They are checked by tests, so a
// failure here is a build defect.
func Builtin() *Set {
	once.Do(func() {
		sub, err := fs.Sub(embedded, "packs")
		if err != nil {
			loadErr = err
			return
		}
		builtin, loadErr = Load(sub)
	})
	if loadErr != nil {
		panic(loadErr)
	}
	return builtin
}

// Lookup returns the embedded pack of code, or nil.
func Lookup(code string) *Pack {
	p, err := Builtin().Get(code)
	if err != nil {
		return nil
	}
	return p
}

// Get returns the embedded pack of code, or an error listing the known ones.
func Get(code string) (*Pack, error) { return Builtin().Get(code) }

// All returns the embedded packs, sorted by code.
func All() []*Pack { return Builtin().All() }

var weekdays = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}

func loadPack(fsys fs.FS, dir string) (*Pack, error) {
	file := path.Join(dir, "pack.json")
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("country pack %s: %w", file, err)
	}
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("country pack %s: %s: %s", file, field, fmt.Sprintf(format, args...))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Pack
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("country pack %s: %w", file, err)
	}
	if err := p.check(bad); err != nil {
		return nil, err
	}
	if p.areaCSV, err = fs.ReadFile(fsys, path.Join(dir, p.Areas.File)); err != nil {
		return nil, bad("areas.file", "%v", err)
	}
	if err := checkAreaCSV(p.areaCSV, p.Areas, p.Languages); err != nil {
		return nil, fmt.Errorf("country pack %s: %w", path.Join(dir, p.Areas.File), err)
	}
	if p.Areas.Tiles != "" {
		name := path.Join(dir, p.Areas.Tiles)
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, bad("areas.tiles", "%v", err)
		}
		if p.tiles, err = readTiles(b, p.areaCSV); err != nil {
			return nil, fmt.Errorf("country pack %s: %w", name, err)
		}
	}
	src, err := fs.ReadFile(fsys, path.Join(dir, "SOURCES.md"))
	if err != nil {
		return nil, fmt.Errorf("country pack %s: every pack cites its sources: %w", path.Join(dir, "SOURCES.md"), err)
	}
	p.sources = string(src)
	return &p, nil
}
