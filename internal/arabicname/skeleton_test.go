package arabicname

import (
	"strings"
	"testing"
)

// fold is how the callers hand tokens over: folded, article stripped.
func fold(s string) string {
	return StripArticle(strings.Map(func(r rune) rune {
		if f := FoldRune(r); f != 0 {
			return f
		}
		return -1
	}, s))
}

func TestSkeletonsMeet(t *testing.T) {
	same := []struct{ arabic, latin string }{
		{"حسين", "hussein"}, {"حسين", "husain"}, {"حسين", "hossain"}, {"حسین", "husayn"}, {"الحسين", "hussein"},
		{"محمد", "mohammed"}, {"محمد", "muhammad"}, {"محمد", "mohamed"}, {"حسن", "hassan"}, {"حسن", "hasan"},
		{"جبار", "jabbar"}, {"صلاح", "salah"}, {"نوري", "nouri"}, {"نوری", "nuri"}, {"طارق", "tariq"},
		{"كاروان", "karwan"}, {"ئاران", "aran"}, {"فاطمة", "fatima"}, {"فاطمه", "fatimah"}, {"علي", "ali"},
		{"عليا", "alia"}, {"عبدالكريم", "abdulkarim"}, {"شيرين", "shirin"}, {"هيرو", "hero"}, {"کاوە", "kawa"},
		{"يوسف", "yusuf"}, {"يوسف", "youssef"}, {"عمر", "omar"}, {"عمران", "imran"}, {"ابراهيم", "ibrahim"},
		{"ثامر", "thamer"}, {"ذياب", "dhiab"}, {"قاسم", "qasim"}, {"خالد", "khaled"}, {"زهراء", "zahra"},
	}
	for _, c := range same {
		if !SkeletonsMeet(fold(c.arabic), c.latin) {
			t.Errorf("%s (%q) and %s %v: want the same name", c.arabic, ArabicSkeleton(fold(c.arabic)), c.latin, LatinSkeletons(c.latin))
		}
		if !SkeletonsMeet(c.latin, fold(c.arabic)) {
			t.Errorf("%s and %s: not symmetric", c.latin, c.arabic)
		}
	}
	different := []struct{ arabic, latin string }{
		{"حسن", "hussein"}, {"حسين", "hassan"}, {"حسن", "husain"}, {"علي", "alia"}, {"عليا", "ali"},
		{"عمر", "imran"}, {"عمران", "omar"}, {"محمود", "mohammed"}, {"احمد", "mohammed"}, {"كريم", "rahim"},
		{"سعيد", "saad"}, {"جميل", "jamila"}, {"جميله", "jamil"}, {"نور", "nouri"},
	}
	for _, c := range different {
		if SkeletonsMeet(fold(c.arabic), c.latin) {
			t.Errorf("%s (%q) and %s %v: want different names", c.arabic, ArabicSkeleton(fold(c.arabic)), c.latin, LatinSkeletons(c.latin))
		}
	}
	// Same script, empty, and malformed tokens never meet here.
	for _, c := range [][2]string{{"hussein", "husain"}, {"حسين", "حسين"}, {"", ""}, {"حسين", ""}, {"حسين", "hus5ein"}, {"ـ", "a"}} {
		if SkeletonsMeet(c[0], c[1]) {
			t.Errorf("%q and %q meet", c[0], c[1])
		}
	}
}

// A long Latin token does not blow up: its optional vowels are bounded.
func TestLatinSkeletonsBounded(t *testing.T) {
	long := strings.Repeat("bi", 200)
	if n := len(LatinSkeletons(long)); n > 1<<maxOptional {
		t.Errorf("%d skeletons for a 400-letter token", n)
	}
	if LatinSkeletons("Hussein") != nil || LatinSkeletons("o'neil") != nil {
		t.Error("only lower-case a-z tokens have skeletons")
	}
}

func TestTranslit(t *testing.T) {
	for ar, want := range map[string]string{"جبار": "jbar", "عمر": "amr", "نوري": "nuri", "كاروان": "karwan", "ديار": "dyar", "فاطمه": "fatma", "شيرين": "shirin", "x": ""} {
		if got := Translit(fold(ar)); got != want {
			t.Errorf("Translit(%s) = %q, want %q", ar, got, want)
		}
	}
}
