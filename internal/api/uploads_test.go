package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"homeward/homewardtest"
	"homeward/internal/heapwatch"
)

// lazyBody is n bytes of 'x' generated as they are sent; read counts them.
type lazyBody struct{ n, read int64 }

func (b *lazyBody) Read(p []byte) (int, error) {
	if b.read >= b.n {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n-b.read {
		p = p[:b.n-b.read]
	}
	for i := range p {
		p[i] = 'x'
	}
	atomic.AddInt64(&b.read, int64(len(p)))
	return len(p), nil
}

func (e *env) send(path, as, contentType, lang string, body io.Reader) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+e.tokens[as])
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m
}

// TestXLSXBombRefused posts a workbook of a few hundred kilobytes whose
// shared-strings table unpacks to 400 MB, as a form and as an import: it is
// refused with a translated message and the server's heap hardly grows.
func TestXLSXBombRefused(t *testing.T) {
	e := newEnv(t)
	bomb := homewardtest.XLSXBomb(t, []string{"type", "name", "label"}, 400<<20, 1)
	t.Logf("bomb: %d KB", len(bomb)>>10)
	for _, tc := range []struct {
		name, path, as, lang, want string
	}{
		{"form", "/api/v1/forms", "operator/administrator", "en", "too large once unpacked"},
		{"form, Bangla", "/api/v1/forms", "operator/administrator", "bn", "খোলার পর অনেক বড়"},
		{"import", "/api/v1/imports?dry_run=true", "ngo/case_worker", "en", "save it as “CSV UTF-8”"},
		{"import, Bangla", "/api/v1/imports", "ngo/case_worker", "bn", "খোলার পর অনেক বড়"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var status int
			var p map[string]any
			grew := heapwatch.PeakGrowth(func() {
				status, p = e.send(tc.path, tc.as, xlsxType, tc.lang, bytes.NewReader(bomb))
			})
			t.Logf("status %d, heap in use grew by %d MB at most", status, grew>>20)
			if status != 400 {
				t.Fatalf("status %d, want 400: %v", status, p)
			}
			b, _ := json.Marshal(p)
			if !strings.Contains(string(b), tc.want) {
				t.Errorf("answer lacks %q: %s", tc.want, b)
			}
			if grew > 100<<20 {
				t.Errorf("heap grew by %d MB", grew>>20)
			}
		})
	}
}

// TestUploadPermissionFirst: a user who may not upload is refused before
// the body is read; bodies over the limit are refused as too large, for
// CSV and XLSX alike.
func TestUploadPermissionFirst(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, path, as, ct string
		size, maxSent      int64
		status             int
		code               string
	}{
		{"form by a case worker", "/api/v1/forms", "ngo/case_worker", xlsxType, 1 << 30, 16 << 20, 403, "forbidden"},
		{"scheme by a case worker", "/api/v1/schemes", "ngo/case_worker", "application/json", 1 << 30, 16 << 20, 403, "forbidden"},
		{"import by an auditor", "/api/v1/imports?format=csv", "ngo/auditor", "text/csv", 1 << 30, 16 << 20, 403, "forbidden"},
		{"XLSX import over the limit", "/api/v1/imports?format=xlsx", "ngo/case_worker", xlsxType, 1 << 30, 260 << 20, 413, "too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &lazyBody{n: tc.size}
			status, p := e.send(tc.path, tc.as, tc.ct, "", body)
			sent := atomic.LoadInt64(&body.read)
			t.Logf("status %d, %d MB sent", status, sent>>20)
			if status != tc.status || p["code"] != tc.code {
				t.Errorf("status %d %v, want %d %s", status, p["code"], tc.status, tc.code)
			}
			if sent > tc.maxSent {
				t.Errorf("server read %d MB", sent>>20)
			}
		})
	}
}
