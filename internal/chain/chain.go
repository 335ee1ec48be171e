// Package chain knows the address formats of the networks the wallet uses:
// TRON (base58check, 34 characters, "T…") and Ethereum-style EVM ("0x" + 40
// hex, EIP-55 checksum when mixed case). It validates and derives addresses;
// it never talks to a chain.
package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"

	"golang.org/x/crypto/sha3"
)

// Network names a chain family as the wallet currency names it.
type Network string

const (
	TRC20 Network = "TRC20"
	ERC20 Network = "ERC20"
)

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// tronPrefix is the version byte of TRON main-net addresses.
const tronPrefix = 0x41

// Valid reports whether addr is a well-formed address of network.
func Valid(network Network, addr string) bool {
	switch network {
	case TRC20:
		_, ok := decodeTron(addr)
		return ok
	case ERC20:
		return validEVM(addr)
	}
	return false
}

// Canonical returns the form addresses are compared in: EVM addresses are
// compared case-insensitively, TRON addresses exactly.
func Canonical(network Network, addr string) string {
	if network == ERC20 {
		return strings.ToLower(addr)
	}
	return addr
}

// AddressFromKey derives an address of network from 20 bytes of key material.
func AddressFromKey(network Network, key [20]byte) string {
	switch network {
	case TRC20:
		payload := append([]byte{tronPrefix}, key[:]...)
		sum := doubleSHA(payload)
		return base58Encode(append(payload, sum[:4]...))
	case ERC20:
		return checksumEVM(hex.EncodeToString(key[:]))
	}
	return ""
}

func doubleSHA(b []byte) [32]byte {
	first := sha256.Sum256(b)
	return sha256.Sum256(first[:])
}

func decodeTron(addr string) ([]byte, bool) {
	if len(addr) != 34 || addr[0] != 'T' {
		return nil, false
	}
	raw, ok := base58Decode(addr)
	if !ok || len(raw) != 25 || raw[0] != tronPrefix {
		return nil, false
	}
	sum := doubleSHA(raw[:21])
	if !bytes.Equal(sum[:4], raw[21:]) {
		return nil, false
	}
	return raw[1:21], true
}

func validEVM(addr string) bool {
	if len(addr) != 42 || !strings.HasPrefix(addr, "0x") {
		return false
	}
	body := addr[2:]
	if _, err := hex.DecodeString(body); err != nil {
		return false
	}
	lower, upper := strings.ToLower(body), strings.ToUpper(body)
	if body == lower || body == upper {
		return true
	}
	// Mixed case is a checksum: it must be right, or the address has a typo.
	return checksumEVM(lower) == addr
}

// checksumEVM applies EIP-55 to 40 lower-case hex digits.
func checksumEVM(lowerHex string) string {
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(lowerHex))
	digest := hex.EncodeToString(h.Sum(nil))
	out := []byte(lowerHex)
	for i, c := range out {
		if c >= 'a' && c <= 'f' && digest[i] >= '8' {
			out[i] = c - 'a' + 'A'
		}
	}
	return "0x" + string(out)
}

func base58Encode(b []byte) string {
	n := new(big.Int).SetBytes(b)
	radix, mod := big.NewInt(58), new(big.Int)
	var out []byte
	for n.Sign() > 0 {
		n.DivMod(n, radix, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, base58Alphabet[0])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func base58Decode(s string) ([]byte, bool) {
	n := new(big.Int)
	radix := big.NewInt(58)
	for i := range len(s) {
		idx := strings.IndexByte(base58Alphabet, s[i])
		if idx < 0 {
			return nil, false
		}
		n.Mul(n, radix)
		n.Add(n, big.NewInt(int64(idx)))
	}
	out := n.Bytes()
	for i := 0; i < len(s) && s[i] == base58Alphabet[0]; i++ {
		out = append([]byte{0}, out...)
	}
	return out, true
}
