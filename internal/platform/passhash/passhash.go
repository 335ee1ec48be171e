// Package passhash hashes passwords with argon2id in PHC format; the
// parameters travel with the hash, so a later change of profile still
// verifies old hashes. Users and operators share it.
package passhash

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Profile is an argon2id cost setting.
type Profile struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// Default is OWASP's argon2id baseline (19 MiB, t=2, p=1).
var Default = Profile{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// Fast keeps test suites quick; production refuses it.
var Fast = Profile{MemoryKiB: 64, Time: 1, Threads: 1}

// Hash returns a PHC-format argon2id hash of plain.
func Hash(p Profile, plain string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	sum := argon2.IDKey([]byte(plain), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(sum))
}

// Verify reports whether plain matches a hash made by Hash.
func Verify(encoded, plain string) bool {
	h, ok := parseHash(encoded)
	if !ok {
		return false
	}
	got := argon2.IDKey([]byte(plain), h.salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, uint32(len(h.sum)))
	return subtle.ConstantTimeCompare(got, h.sum) == 1
}

// NeedsRehash reports whether an encoded hash was made with other
// parameters than p (an older profile, or another argon2 version).
func NeedsRehash(encoded string, p Profile) bool {
	h, ok := parseHash(encoded)
	return !ok || h.version != argon2.Version || h.params != p
}

type parsedHash struct {
	version   int
	params    Profile
	salt, sum []byte
}

func parseHash(encoded string) (parsedHash, bool) {
	var h parsedHash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return h, false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &h.version); err != nil {
		return h, false
	}
	p := &h.params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return h, false
	}
	// Parameters argon2 would panic on, or that would cost absurd time or
	// memory, mean a corrupt hash: refuse rather than compute.
	if p.Time < 1 || p.Time > 16 || p.Threads < 1 || p.Threads > 16 || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > 1<<20 {
		return h, false
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return h, false
	}
	h.sum, err = base64.RawStdEncoding.DecodeString(parts[5])
	return h, err == nil && len(h.sum) > 0
}
