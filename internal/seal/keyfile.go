package seal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ReadKeyFile reads a key written in base64 from path. It refuses a file
// that other users may read or write (any group or other permission bit):
// the key is what keeps a stolen database copy unreadable.
func ReadKeyFile(path string) (*Key, error) {
	text, err := ReadSecretFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParseKey(text)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// ReadSecretFile returns the text of a small file holding secrets (at most
// 4 KiB), refusing one that is not a regular file or that other users may
// read or write (any group or other permission bit).
func ReadSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("key file %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return "", fmt.Errorf("key file %s has mode %04o: other users may read it; allow its owner only (chmod 600 %s)", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", fmt.Errorf("read key file %s: %w", path, err)
	}
	return string(b), nil
}

// CreateKeyFile writes a new random key to path with mode 0600, creating
// its directory (0700) if missing. It fails if path exists, so that a key
// is never replaced.
func CreateKeyFile(path string) (*Key, error) {
	s := GenerateKey()
	if err := CreateSecretFile(path, s+"\n"); err != nil {
		return nil, err
	}
	return ParseKey(s)
}

// CreateSecretFile writes text to a new file at path with mode 0600,
// creating its directory (0700) if missing. It fails (fs.ErrExist) if path
// exists, so that a key is never replaced.
func CreateSecretFile(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	// The umask may have taken bits away, never added them; make sure.
	return os.Chmod(path, 0o600)
}

// LoadOrCreateKeyFile reads the key at path, creating it first if it does
// not exist. created reports whether it did.
func LoadOrCreateKeyFile(path string) (k *Key, created bool, err error) {
	k, err = ReadKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k, err = CreateKeyFile(path)
		if errors.Is(err, fs.ErrExist) { // another process created it first
			k, err = ReadKeyFile(path)
			return k, false, err
		}
		return k, err == nil, err
	}
	return k, false, err
}
