package match

import (
	"fmt"
	"reflect"
	"testing"
)

// pointerFields returns the fields of t, by path, that hold pointers for
// the collector to follow, leaving out those allowed (by path). A map of
// pointer-free keys and values counts as pointer-free: its slots are not
// scanned.
func pointerFields(t reflect.Type, path string, allowed map[string]bool) []string {
	if allowed[path] {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		var out []string
		for i := range t.NumField() {
			out = append(out, pointerFields(t.Field(i).Type, path+"."+t.Field(i).Name, allowed)...)
		}
		return out
	case reflect.Array:
		return pointerFields(t.Elem(), path+"[]", allowed)
	case reflect.Slice:
		if out := pointerFields(t.Elem(), path+"[]", allowed); len(out) > 0 {
			return append(out, path)
		}
		return nil
	case reflect.Map:
		return append(pointerFields(t.Key(), path+"{key}", allowed), pointerFields(t.Elem(), path+"{}", allowed)...)
	case reflect.Pointer, reflect.String, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return []string{path}
	}
	return nil
}

// The preparer's tables and the term frequencies hold no pointer per
// string or name: with them, a collection marked a million objects with a
// million people indexed (233 ms a full collection, against 2 ms).
func TestTablesHoldNoPointers(t *testing.T) {
	allowed := map[string]bool{
		"tables.strs.mem.chunks[]": true, // a chunk of 1 MB of strings: one pointer each
		"tables.made":              true, // filled by a batch's preparer only (checked below)
		"Stats.phones":             true, // one function
	}
	for _, v := range []any{tables{}, Stats{}} {
		typ := reflect.TypeOf(v)
		if bad := pointerFields(typ, typ.Name(), allowed); len(bad) > 0 {
			t.Errorf("%s holds pointers in %v", typ.Name(), bad)
		}
	}
	x := NewIndex(IndexOptions{})
	for i := range 200 {
		if err := x.Add(Record{ID: fmt.Sprint(i), GivenName: "Md. Rahim", FamilyName: fmt.Sprint("Uddin", i%7), Address: "Vill. Charpara"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(x.prep.tab.names) < 8 || len(x.prep.tab.made) != 0 {
		t.Errorf("an index's preparer shares %d names and made %d; want the 7 names and their whole names shared, none made", len(x.prep.tab.names)-1, len(x.prep.tab.made))
	}
}

// A string or a name whose hash is another's is not shared: its record
// keeps it inline, and unpacks to it.
func TestTablesHashMeet(t *testing.T) {
	p := newPreparer(nil)
	a, ok := p.tab.strs.add("charpara")
	if !ok {
		t.Fatal("charpara not shared")
	}
	// "dhaka" and the name "Rahim Uddin" get the hash of what is shared.
	p.tab.strs.ids.set(strHash("dhaka"), a)
	q := (&preparer{v: p.v}).prepare(&Record{ID: "1", GivenName: "Karim", FamilyName: "Uddin"})
	p.share(&q)
	if q.given.id == 0 {
		t.Fatal("Karim not shared")
	}
	if id, ok := p.tab.strs.add("dhaka"); ok || p.str("dhaka") != "dhaka" {
		t.Errorf("dhaka shared as %d (%q)", id, p.tab.strs.get(id))
	}
	f := (&preparer{v: p.v}).name("Rahim Uddin")
	p.tab.nameIDs.set(nameHash(f.text, f.keys), q.given.id)
	r := Record{ID: "2", GivenName: "Rahim Uddin", Address: "Dhaka Charpara"}
	q = (&preparer{v: p.v}).prepare(&r)
	p.share(&q)
	if q.given.id != 0 {
		t.Errorf("Rahim Uddin shared as name %d", q.given.id)
	}
	if n := p.nameOf(NormalizeName("Rahim Uddin", p.v)); n.id != 0 || n.text != "rahim uddin" {
		t.Errorf("nameOf gave %+v", *n)
	}
	b := p.pack(nil, &q)
	var back prepared
	if n := p.unpack(b, &back); n != len(b) {
		t.Fatalf("unpacked %d of %d bytes", n, len(b))
	}
	if d := samePrepared(&q, &back); d != "" {
		t.Error(d)
	}
	if back.given.text != "rahim uddin" || back.addr[0] != "dhaka" || back.addr[1] != "charpara" {
		t.Errorf("unpacked %q %q", back.given.text, back.addr)
	}
}
