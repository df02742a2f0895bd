package credential

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// The JSON-LD contexts a credential signed here may use, embedded (see
// contexts/PROVENANCE.md): nothing is fetched.
//
//go:embed contexts/*.json contexts/*.jsonld
var contextFS embed.FS

var embeddedContexts = sync.OnceValue(func() map[string]any {
	out := map[string]any{}
	for url, file := range map[string]string{
		"https://www.w3.org/ns/credentials/v2":                       "contexts/credentials-v2.jsonld",
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "contexts/ob-context-3.0.3.json",
	} {
		b, err := contextFS.ReadFile(file)
		if err != nil {
			panic(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			panic(fmt.Sprintf("%s: %v", file, err)) // embedded; checked by the tests
		}
		out[url] = doc["@context"]
	}
	return out
})

// termContext is an active context as far as term definitions go: the
// terms defined, and the context a nested node object reverts to when a
// type-scoped context (which does not propagate) is in force.
type termContext struct {
	defs map[string]any
	prev *termContext
}

// apply processes a local context (a URL of an embedded context, an
// object, null, or an array of these) over c. propagate false is a
// type-scoped context: nested node objects revert to c.
func (c *termContext) apply(local any, propagate bool) (*termContext, error) {
	out := &termContext{defs: maps.Clone(c.defs), prev: c.prev}
	if !propagate && out.prev == nil {
		out.prev = c
	}
	if local == nil {
		out.defs = map[string]any{}
		return out, nil
	}
	list, ok := local.([]any)
	if !ok {
		list = []any{local}
	}
	for _, l := range list {
		switch l := l.(type) {
		case nil:
			out.defs = map[string]any{}
		case string:
			doc, ok := embeddedContexts()[l]
			if !ok {
				return nil, fmt.Errorf("credential: the context %s is not one embedded here", l)
			}
			next, err := out.apply(doc, true)
			if err != nil {
				return nil, err
			}
			out.defs = next.defs
		case map[string]any:
			if p, _ := l["@propagate"].(bool); p && !propagate {
				out.prev = c.prev
			}
			for k, v := range l {
				if !strings.HasPrefix(k, "@") {
					out.defs[k] = v
				}
			}
		default:
			return nil, fmt.Errorf("credential: a context of type %T", l)
		}
	}
	return out, nil
}

// defined reports whether key (a property or a type) expands to an IRI in
// c: a term defined (not null), a keyword or its alias, a compact IRI of a
// defined prefix or an absolute IRI — never dropped, never left to a
// vocabulary mapping.
func (c *termContext) defined(key string) bool {
	if strings.HasPrefix(key, "@") {
		return true
	}
	if d, ok := c.defs[key]; ok {
		return d != nil
	}
	prefix, rest, ok := strings.Cut(key, ":")
	if !ok || prefix == "_" {
		return false
	}
	if _, ok := c.defs[prefix]; ok {
		return true
	}
	return strings.HasPrefix(rest, "//") // an absolute IRI (http://, https://, urn: has no //)
}

// CheckTerms refuses a JSON-LD document (decoded JSON) in which some
// property or type is not defined by its contexts — which must be the
// embedded ones — as JSON-LD expansion in safe mode would: a term that
// expansion would drop silently would be signed but mean nothing to a
// verifier. It follows property-scoped and type-scoped contexts; values of
// @json terms are not looked into.
func CheckTerms(doc map[string]any) error {
	ctx, err := (&termContext{defs: map[string]any{}}).apply(doc["@context"], true)
	if err != nil {
		return err
	}
	return checkNode(ctx, doc, "", true)
}

func checkNode(ctx *termContext, node map[string]any, path string, top bool) error {
	if _, ok := node["@value"]; ok {
		return nil
	}
	if !top && ctx.prev != nil {
		ctx = ctx.prev
	}
	if local, ok := node["@context"]; ok && !top {
		var err error
		if ctx, err = ctx.apply(local, true); err != nil {
			return err
		}
	}
	// Types, looked up before their scoped contexts apply, in order.
	var types []string
	for k, v := range node {
		if k != "@type" && ctx.defs[k] != "@type" {
			continue
		}
		vals, ok := v.([]any)
		if !ok {
			vals = []any{v}
		}
		for _, t := range vals {
			s, ok := t.(string)
			if !ok || !ctx.defined(s) {
				return fmt.Errorf("credential: the type %v at %s is not defined by the credential's contexts", t, pathOr(path))
			}
			types = append(types, s)
		}
	}
	slices.Sort(types)
	typeCtx := ctx
	for _, t := range types {
		if d, ok := ctx.defs[t].(map[string]any); ok {
			if local, ok := d["@context"]; ok {
				var err error
				if typeCtx, err = typeCtx.apply(local, false); err != nil {
					return err
				}
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(node)) {
		if k == "@context" {
			continue
		}
		p := path + "/" + k
		if !typeCtx.defined(k) {
			return fmt.Errorf("credential: the property %q at %s is not defined by the credential's contexts (JSON-LD would drop it)", k, pathOr(path))
		}
		def, _ := typeCtx.defs[k].(map[string]any)
		if def["@type"] == "@json" || strings.HasPrefix(k, "@") || typeCtx.defs[k] == "@id" || typeCtx.defs[k] == "@type" {
			continue
		}
		valCtx := typeCtx
		if local, ok := def["@context"]; ok {
			var err error
			if valCtx, err = typeCtx.apply(local, true); err != nil {
				return err
			}
		}
		vals, ok := node[k].([]any)
		if !ok {
			vals = []any{node[k]}
		}
		for _, v := range vals {
			if m, ok := v.(map[string]any); ok {
				if err := checkNode(valCtx, m, p, false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func pathOr(p string) string {
	if p == "" {
		return "the top"
	}
	return p
}
