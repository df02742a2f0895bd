package sqldb

import (
	"encoding/json"
	"testing"

	"homeward/internal/registry"
	"homeward/internal/seal"
)

// benchKeys returns data keys as the database would hold them.
func benchKeys(b *testing.B) *identKeys {
	b.Helper()
	k, err := seal.ParseKey(seal.GenerateKey())
	if err != nil {
		b.Fatal(err)
	}
	return &identKeys{ring: seal.NewKeyring(k), current: k.ID(), index: make([]byte, 32)}
}

// benchPerson is a registration's person of typical size.
var benchPerson = registry.Person{ID: "01a2402b-c0ab-7110-830d-472a7b82f49b", OrgID: "01a2402b-c0ab-7110-830d-472a7b82f49c",
	ExternalID: "NGO-123456", GivenName: "Md. Rafiqul", FamilyName: "Islam", FullNameNative: "মোঃ রফিকুল ইসলাম", Sex: registry.SexMale,
	FatherName: "Abdul Hamid", MotherName: "Amena Begum", Phones: []string{"+8801712345678", "+8801812345678"},
	Documents: []registry.Document{{Type: registry.DocNationalID, Number: "1234567890123", IssuingCountry: "BD"}, {Type: registry.DocPassport, Number: "A01234567", IssuingCountry: "BD"}},
	Address:   registry.Address{AdminArea: "BD302602", Text: "Char Kalia village, house 7", Postcode: "1230"}, Languages: []string{"bn", "ar"}}

// What encryption adds to storing a person: sealing the record and the
// blind indexes of its search keys (against marshalling it in clear), and
// opening it on every read.
func BenchmarkStorePersonClear(b *testing.B) {
	p := benchPerson
	for b.Loop() {
		if _, err := marshalClear(&p); err != nil {
			b.Fatal(err)
		}
		_ = personKeys(&p)
	}
}

func BenchmarkStorePersonSealed(b *testing.B) {
	k, p := benchKeys(b), benchPerson
	for b.Loop() {
		if _, _, err := k.sealPerson(&p); err != nil {
			b.Fatal(err)
		}
		_ = k.blindKeys(personKeys(&p))
	}
}

func BenchmarkOpenPerson(b *testing.B) {
	k, p := benchKeys(b), benchPerson
	s, _, err := k.sealPerson(&p)
	if err != nil {
		b.Fatal(err)
	}
	db := &DB{}
	b.ResetTimer()
	for b.Loop() {
		var got registry.Person
		if err := db.openPerson(b.Context(), k, s, p.ID, &got); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	k := benchKeys(b)
	for b.Loop() {
		_ = k.blind(kindBlindPhone, "+8801712345678")
	}
}

func marshalClear(p *registry.Person) ([]byte, error) { return json.Marshal(p) }
