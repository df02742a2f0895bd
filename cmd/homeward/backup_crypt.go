package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"homeward/internal/backupcrypt"
)

// secret reads the key or passphrase file given, naming its flag; text
// is nil when none was given.
func (b *backupFlags) secret(p *program, keyFlag string) (text []byte, flag string, err error) {
	name, flag := b.keyFile, keyFlag
	if b.passFile != "" {
		name, flag = b.passFile, "--passphrase-file"
	}
	if name == "" {
		return nil, "", nil
	}
	if name == "-" {
		text, err = io.ReadAll(io.LimitReader(p.stdin, 4096))
	} else {
		text, err = os.ReadFile(name)
	}
	if err == nil && text == nil {
		text = []byte{}
	}
	return text, flag, err
}

// sealer is how backup encrypts: nil for a clear backup.
func (b *backupFlags) sealer(p *program) (*backupcrypt.Sealer, error) {
	text, flag, err := b.secret(p, "--recipient")
	if err != nil || text == nil {
		return nil, err
	}
	var s *backupcrypt.Sealer
	if flag == "--passphrase-file" {
		s, err = backupcrypt.WithPassphrase(text)
	} else {
		s, err = backupcrypt.ToRecipient(text)
	}
	if err != nil {
		return nil, usageError{flag + ": " + err.Error()}
	}
	return s, nil
}

// opener is how restore decrypts: nil when no key was given.
func (b *backupFlags) opener(p *program) (*backupcrypt.Opener, error) {
	text, flag, err := b.secret(p, "--key")
	if err != nil || text == nil {
		return nil, err
	}
	if flag == "--passphrase-file" {
		return backupcrypt.OpenWithPassphrase(text), nil
	}
	o, err := backupcrypt.WithPrivateKey(text)
	if err != nil {
		return nil, usageError{flag + ": " + err.Error()}
	}
	return o, nil
}

// encryptFile encrypts the file in into out, which must not exist,
// through out.partial (mode 0600), removed on failure.
func encryptFile(s *backupcrypt.Sealer, in, out string) error {
	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	partial := out + ".partial"
	dst, err := os.OpenFile(partial, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = s.Encrypt(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(partial, out)
	}
	os.Remove(partial)
	return err
}

// errEncrypted: an encrypted backup given to restore without its key.
var errEncrypted = errors.New("this backup is encrypted: give the private key file (--key FILE) or the passphrase (--passphrase-file FILE); nothing was restored")

// decrypted returns the file restore reads: the backup itself when it is
// in clear, or a temporary file (mode 0600) holding its decrypted and
// wholly checked content, which cleanup removes. A backup that does not
// decrypt is refused before anything is restored.
func (b *backupFlags) decrypted(p *program) (path string, cleanup func(), err error) {
	none := func() {}
	o, err := b.opener(p)
	if err != nil {
		return "", none, err
	}
	f, err := os.Open(b.file)
	if err != nil {
		return "", none, err
	}
	defer f.Close()
	head := make([]byte, backupcrypt.MagicLen)
	n, _ := io.ReadFull(f, head)
	encrypted := backupcrypt.IsEncrypted(head[:n])
	switch {
	case !encrypted && o == nil:
		return b.file, none, nil
	case !encrypted:
		return "", none, fmt.Errorf("%s is not an encrypted backup, but a key or passphrase was given; nothing was restored", b.file)
	case o == nil:
		return "", none, errEncrypted
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", none, err
	}
	tmp, err := os.CreateTemp("", "homeward-restore-*")
	if err != nil {
		return "", none, err
	}
	cleanup = func() { os.Remove(tmp.Name()) }
	err = o.Decrypt(tmp, f)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		cleanup()
		return "", none, fmt.Errorf("restore refused, nothing was restored: %w", err)
	}
	return tmp.Name(), cleanup, nil
}

// backupKeygen writes a recipient key pair: NAME.pub and NAME.key (mode
// 0600), neither of which may exist.
func backupKeygen(p *program, args []string) error {
	var name string
	fs := p.flagSet("backup keygen", "backup keygen --out NAME\n\nWrites a key pair for encrypted backups: NAME.pub, the public key that homeward backup --recipient\nencrypts to (it can sit on the server), and NAME.key, the private key (mode 0600) that homeward\nrestore --key needs: keep it off the server, apart from the backups, and from the instance's keys.")
	fs.StringVar(&name, "out", "", "the key files' name, without .pub or .key")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if name == "" {
		return usageError{"--out NAME is required"}
	}
	for _, ext := range []string{".key", ".pub"} {
		if _, err := os.Stat(name + ext); err == nil {
			return fmt.Errorf("%s exists: choose another name (a key is never overwritten)", name+ext)
		}
	}
	pub, priv, err := backupcrypt.GenerateKey()
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		text []byte
		mode os.FileMode
	}{{name + ".key", priv, 0o600}, {name + ".pub", pub, 0o644}} {
		fh, err := os.OpenFile(f.path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, f.mode)
		if err != nil {
			return err
		}
		_, err = fh.Write(f.text)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.path)
			return err
		}
	}
	fmt.Fprintf(p.stdout, "wrote %s.pub (give it to homeward backup --recipient) and %s.key (mode 0600: keep it offline, apart from the backups; homeward restore --key needs it)\n", name, name)
	return nil
}
