package match

// Field names one comparison in the model. Several fields may read the same
// record field (GivenName feeds FieldGivenName and FieldFullName).
type Field uint8

// The compared fields, in the order they appear in explanations.
const (
	FieldGivenName Field = iota
	FieldFamilyName
	FieldFullName
	FieldNativeName
	FieldFatherName
	FieldMotherName
	FieldDOB
	FieldSex
	FieldPhone
	FieldNationalID
	FieldPassport
	FieldAddress
	FieldPostcode
	FieldAdminArea
	NumFields
)

var fieldNames = [NumFields]string{
	"given_name", "family_name", "full_name", "native_name", "father_name", "mother_name",
	"date_of_birth", "sex", "phone", "national_id", "passport", "address", "postcode", "admin_area",
}

// String returns the field's stable name (used in JSON and message keys).
func (f Field) String() string {
	if f < NumFields {
		return fieldNames[f]
	}
	return "unknown"
}

// Kind says what a comparison level means, independent of the field.
type Kind uint8

// Level kinds. Missing means at least one side has no value (or, for the
// full name, that given and family name already agreed), and counts nothing.
const (
	Missing   Kind = iota
	Exact          // the same value
	Variant        // the same after variant/phonetic keys (Muhammad = Mohammed)
	Reordered      // the same name parts in another order or split
	Imprecise      // dates: consistent, one side known only to the year or month, or 1 January
	Swapped        // dates: day and month swapped
	Close          // a small difference (typo, Jaro–Winkler ≥ 0.9, one digit)
	Partial        // some parts agree
	Different      // disagrees
)

var kindNames = [...]string{"missing", "exact", "variant", "reordered", "imprecise", "swapped", "close", "partial", "different"}

// String returns the kind's stable name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// levels lists, per field, the kind of each comparison level. Level 0 is
// always Missing; the others run from strongest agreement to disagreement.
var levels = [NumFields][]Kind{
	FieldGivenName:  {Missing, Exact, Variant, Close, Partial, Different},
	FieldFamilyName: {Missing, Exact, Variant, Close, Partial, Different},
	FieldFullName:   {Missing, Reordered, Close, Partial, Different},
	FieldNativeName: {Missing, Exact, Reordered, Close, Partial, Different},
	FieldFatherName: {Missing, Exact, Variant, Close, Partial, Different},
	FieldMotherName: {Missing, Exact, Variant, Close, Partial, Different},
	FieldDOB:        {Missing, Exact, Imprecise, Swapped, Close, Different},
	FieldSex:        {Missing, Exact, Different},
	FieldPhone:      {Missing, Exact, Close, Different},
	FieldNationalID: {Missing, Exact, Close, Different},
	FieldPassport:   {Missing, Exact, Close, Different},
	FieldAddress:    {Missing, Exact, Close, Partial, Different},
	FieldPostcode:   {Missing, Exact, Close, Different},
	FieldAdminArea:  {Missing, Exact, Partial, Different},
}

// maxLevels bounds the number of levels of any field.
const maxLevels = 6

// level returns the index of kind k in field f's levels.
func level(f Field, k Kind) uint8 {
	for i, kk := range levels[f] {
		if kk == k {
			return uint8(i)
		}
	}
	panic("match: field " + f.String() + " has no level " + k.String())
}

// Levels returns the kinds of field f's comparison levels, level 0 first.
func Levels(f Field) []Kind { return append([]Kind(nil), levels[f]...) }

// Vector holds one comparison level per field.
type Vector [NumFields]uint8

// pack encodes v in 4 bits per field.
func (v Vector) pack() uint64 {
	var p uint64
	for f := range v {
		p |= uint64(v[f]) << (4 * f)
	}
	return p
}

func unpack(p uint64) Vector {
	var v Vector
	for f := range v {
		v[f] = uint8(p>>(4*f)) & 0xf
	}
	return v
}

// MarshalText writes the field's name, so JSON shows "father_name".
func (f Field) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// MarshalText writes the level kind's name, so JSON shows "variant".
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }
