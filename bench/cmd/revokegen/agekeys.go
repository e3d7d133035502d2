package main

// Deterministic age X25519 identities, ported unchanged from the shared baseline
// generators (baseline-sops-*.sh), so both sides of the benchmark use the same keys.

import (
	"crypto/ecdh"
	"crypto/sha256"
	"fmt"
	"strings"
)

// ageKey derives identity i from seed: scalar = SHA-256("baseline-age-key" || seed || i).
// Returns the AGE-SECRET-KEY-1... identity and its age1... recipient.
func ageKey(seed uint64, i int) (identity, recipient string) {
	s := sha256.Sum256([]byte(fmt.Sprintf("baseline-age-key/%d/%d", seed, i)))
	k, err := ecdh.X25519().NewPrivateKey(s[:])
	if err != nil {
		panic(err)
	}
	return strings.ToUpper(bech32("age-secret-key-", s[:])), bech32("age", k.PublicKey().Bytes())
}

// bech32 (BIP-173, no length limit, as age uses it).
func bech32(hrp string, data []byte) string {
	const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	var v []byte // 8-bit -> 5-bit groups
	acc, bits := 0, 0
	for _, b := range data {
		acc, bits = acc<<8|int(b), bits+8
		for bits >= 5 {
			bits -= 5
			v = append(v, byte(acc>>bits&31))
		}
	}
	if bits > 0 {
		v = append(v, byte(acc<<(5-bits)&31))
	}
	polymod := func(vs []byte) uint32 {
		gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
		chk := uint32(1)
		for _, x := range vs {
			top := chk >> 25
			chk = (chk&0x1ffffff)<<5 ^ uint32(x)
			for i := 0; i < 5; i++ {
				if top>>i&1 == 1 {
					chk ^= gen[i]
				}
			}
		}
		return chk
	}
	var exp []byte
	for _, c := range hrp {
		exp = append(exp, byte(c)>>5)
	}
	exp = append(exp, 0)
	for _, c := range hrp {
		exp = append(exp, byte(c)&31)
	}
	mod := polymod(append(append(exp, v...), 0, 0, 0, 0, 0, 0)) ^ 1
	for i := 0; i < 6; i++ {
		v = append(v, byte(mod>>(5*(5-i))&31))
	}
	var sb strings.Builder
	sb.WriteString(hrp + "1")
	for _, x := range v {
		sb.WriteByte(charset[x])
	}
	return sb.String()
}
