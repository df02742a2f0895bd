package i18n

import "testing"

// A native-script name is tagged with the language its letters show, and
// left unknown where they do not tell.
func TestScriptLang(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"নাজমুল হক", "bn"},
		{"هێمن ڕەسووڵ", "ckb"}, // Sorani ێ ڕ ە ڵ
		{"وقاص بٹ", "ur"},      // Urdu ٹ
		{"شہزاد اقبال", "ur"},  // Urdu ہ
		{"كرار الساعدي", "ar"}, // Arabic letters only
		{"محمد علی", ""},       // Persian ی: Sorani or Urdu
		{"کاروان", ""},         // Persian ک: Sorani or Urdu
		{"Hemin Rasul", ""},    // Latin
		{"", ""},               // empty
		{"Karim করিম", "bn"},   // mixed: the native script decides
	} {
		if got := ScriptLang(c.name); got != c.want {
			t.Errorf("ScriptLang(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}
