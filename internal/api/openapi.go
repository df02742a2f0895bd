package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"sync"
)

// The OpenAPI document is kept as one fragment per capability
// (openapi/core.json holds info, security and shared components; the others
// add paths and schemas) and merged once.
//
//go:embed openapi/*.json
var openAPIFS embed.FS

var (
	openAPIOnce sync.Once
	openAPIDoc  []byte
	openAPIErr  error
)

// OpenAPI returns the merged OpenAPI 3.1 document of the API.
func OpenAPI() ([]byte, error) {
	openAPIOnce.Do(func() { openAPIDoc, openAPIErr = mergeOpenAPI() })
	return openAPIDoc, openAPIErr
}

func mergeOpenAPI() ([]byte, error) {
	var doc map[string]any
	core, err := openAPIFS.ReadFile("openapi/core.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(core, &doc); err != nil {
		return nil, fmt.Errorf("openapi/core.json: %w", err)
	}
	names, err := fs.Glob(openAPIFS, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "openapi/core.json" {
			continue
		}
		b, err := openAPIFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := mergeSection(doc, frag, "paths"); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		// Requests Homeward makes to others (OpenAPI 3.1 webhooks): the
		// signed cross-border handoff messages.
		if err := mergeSection(doc, frag, "webhooks"); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		comps, _ := frag["components"].(map[string]any)
		dc, _ := doc["components"].(map[string]any)
		for _, sec := range []string{"schemas", "responses", "parameters"} {
			if err := mergeSection(dc, comps, sec); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return json.MarshalIndent(doc, "", " ")
}

func mergeSection(dst, src map[string]any, key string) error {
	s, ok := src[key].(map[string]any)
	if !ok || dst == nil {
		return nil
	}
	d, _ := dst[key].(map[string]any)
	if d == nil {
		d = map[string]any{}
		dst[key] = d
	}
	for k, v := range s {
		if _, dup := d[k]; dup {
			return fmt.Errorf("%s %q defined twice", key, k)
		}
		d[k] = v
	}
	return nil
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	doc, err := OpenAPI()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(doc)
	return err
}
