package i18n

import (
	"strings"
	"unicode"
)

// ScriptLang returns the language to tag a name written in its own script
// with (lang="…"), from its letters: Bengali script is Bangla; Arabic
// script with letters only Sorani uses (ڕ ێ ۆ ە ڵ ڤ) is Sorani, with
// letters only Urdu uses (ٹ ڈ ڑ ں ہ ے) is Urdu, with only the Arabic
// alphabet's letters is Arabic. It returns "" (an unknown language, as HTML
// reads lang="") when the letters do not say: Latin, or Persian letters (ی
// ک) shared by Sorani and Urdu, so that no font of the wrong language is
// chosen for it.
func ScriptLang(name string) string {
	switch {
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.Is(unicode.Bengali, r) }):
		return "bn"
	case strings.ContainsAny(name, "ڕێۆەڵڤ"):
		return "ckb"
	case strings.ContainsAny(name, "ٹڈڑںہے"):
		return "ur"
	case strings.ContainsAny(name, "یکگچپژ"):
		return ""
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.Is(unicode.Arabic, r) }):
		return "ar"
	}
	return ""
}
