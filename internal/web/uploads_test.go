package web_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/heapwatch"
)

// filler is a lazily generated body part: n bytes of 'x', never held in
// memory. read counts what the client actually sent.
type filler struct {
	n, read int64
}

func (f *filler) Read(p []byte) (int, error) {
	if f.read >= f.n {
		return 0, io.EOF
	}
	if int64(len(p)) > f.n-f.read {
		p = p[:f.n-f.read]
	}
	for i := range p {
		p[i] = 'x'
	}
	atomic.AddInt64(&f.read, int64(len(p)))
	return len(p), nil
}

// multipartStream is a multipart/form-data body with the given fields and
// then a file part of size bytes, generated as it is sent.
func multipartStream(fields map[string]string, fileName string, size int64) (io.Reader, string, *filler) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	f := &filler{n: size}
	go func() {
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		fw, err := mw.CreateFormFile("file", fileName)
		if err == nil {
			_, err = io.Copy(fw, f)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType(), f
}

func emptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) > 0 {
		t.Errorf("temporary files left behind: %s", strings.Join(names, ", "))
	}
}

// TestUploadLimits posts bodies far over the limits, anonymously and signed
// in, to form routes and upload routes: each is refused after reading at
// most its limit (the client could not send the rest), memory hardly grows,
// and no multipart temporary file is left behind.
func TestUploadLimits(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if os.TempDir() != tmp {
		t.Fatalf("TempDir %s, want %s", os.TempDir(), tmp)
	}
	b, w := newBrowser(t)
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get("/imports")
	token := csrf(t, page)

	const gb = 1 << 30
	for _, tc := range []struct {
		name    string
		who     *browser
		path    string
		fields  map[string]string
		header  map[string]string
		file    string
		size    int64
		maxSent int64 // what the server may read before it refuses
		status  int
		want    string
	}{
		{"anonymous login, 1 GB", b, "/login", map[string]string{"email": "a@b.c", "password": "x"}, nil, "a.bin", gb, 64 << 20, 413, "larger than"},
		{"anonymous login, 40 MB (spills to disk when parsed)", b, "/login", map[string]string{"email": "a@b.c", "password": "x"}, nil, "a.bin", 40 << 20, 40 << 20, 413, "larger than"},
		{"signed-in form, 40 MB", cw, "/account/password", map[string]string{"csrf_token": token}, nil, "a.bin", 40 << 20, 40 << 20, 413, "larger than"},
		{"anonymous upload route, 1 GB", b, "/imports", map[string]string{"csrf_token": "x"}, nil, "a.csv", gb, 64 << 20, 0, ""},
		{"form upload by a case worker, who may not", cw, "/assessments/forms", map[string]string{"csrf_token": token}, nil, "f.xlsx", gb, 64 << 20, 403, ""},
		{"signed-in import, 1 GB", cw, "/imports", nil, map[string]string{"X-CSRF-Token": token}, "a.csv", gb, 300 << 20, 0, "larger than"},
		{"signed-in API call with the token in a multipart form, 1 GB", cw, "/api/v1/imports?format=csv", map[string]string{"csrf_token": token}, nil, "a.csv", gb, 64 << 20, 403, ""},
		{"signed-in import, token in the form, 40 MB parsed to disk", cw, "/imports", map[string]string{"csrf_token": token}, nil, "a.csv", 40 << 20, 41 << 20, 400, "is longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ct, f := multipartStream(tc.fields, tc.file, tc.size)
			req, _ := http.NewRequest("POST", tc.who.base+tc.path, body)
			req.Header.Set("Content-Type", ct)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			var status int
			var page string
			var err error
			grow := heapwatch.PeakGrowth(func() {
				var res *http.Response
				if res, err = tc.who.c.Do(req); err == nil {
					out, _ := io.ReadAll(res.Body)
					res.Body.Close()
					status, page = res.StatusCode, string(out)
				}
			})
			sent := atomic.LoadInt64(&f.read)
			t.Logf("sent %d MB, heap grew by %d MB at most, status %d, err %v", sent>>20, grow>>20, status, err)
			if sent > tc.maxSent {
				t.Errorf("the server read %d bytes, want at most %d", sent, tc.maxSent)
			}
			if tc.status != 0 && (err != nil || status != tc.status) {
				t.Errorf("status %d (%v), want %d\n%.300s", status, err, tc.status, page)
			}
			if tc.want != "" && err == nil && !strings.Contains(page, tc.want) {
				i := max(0, strings.Index(page, `<main`))
				t.Errorf("page lacks %q\n%.1500s", tc.want, page[i:])
			}
			if grow > 32<<20 {
				t.Errorf("heap grew by %d MB", grow>>20)
			}
			emptyDir(t, tmp)
		})
	}
	// The limits leave ordinary posts alone.
	status, _ := cw.post("/account/password", map[string][]string{"csrf_token": {token}, "current_password": {homewardtest.Password},
		"password": {"x"}, "password_again": {"y"}})
	if status == http.StatusRequestEntityTooLarge {
		t.Error("a small form was refused as too large")
	}
}
