package evidence

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// One installation has one signing identity: an ECDSA P-384 key that signs
// both the kit's manifest.json and a WACZ's datapackage-digest.json. ECDSA,
// not Ed25519, because the WACZ signing spec (and ReplayWeb.page, which
// checks it with WebCrypto) knows only ECDSA keys; one key for both means
// one fingerprint a reviewer pins for every file the user hands over.
//
// The key is derived (HKDF-SHA-256) from the Ed25519 seed the keyring holds,
// so no second keyring entry is needed and the identity is stable.

// Signing algorithms named in manifest.json.
const (
	AlgECDSA   = "ECDSA-P384-SHA256" // kit_version 2: DER signature over SHA-256 of manifest.json
	AlgEd25519 = "Ed25519"           // kit_version 1 (verified, no longer written)
)

// SigningKey describes the kit's key inside manifest.json, so the signed
// bytes name the key that must verify them.
type SigningKey struct {
	Algorithm   string `json:"algorithm"`
	PublicKey   string `json:"public_key"` // SPKI, PEM body as in public-key.pem
	Fingerprint string `json:"fingerprint"`
}

// IdentityKey derives the installation's ECDSA P-384 signing key from the
// Ed25519 seed in the keyring.
func IdentityKey(seed ed25519.PrivateKey) (*ecdsa.PrivateKey, error) {
	if len(seed) != ed25519.PrivateKeySize {
		return nil, errors.New("no signing key")
	}
	n := elliptic.P384().Params().N
	for i := 0; i < 64; i++ {
		// The info string predates kit v2 (it was the WACZ-only key), so WACZ
		// files made before keep their fingerprint.
		b, err := hkdf.Key(sha256.New, seed.Seed(), nil, fmt.Sprintf("ringfence wacz p384 v1 %d", i), 48)
		if err != nil {
			return nil, fmt.Errorf("derive signing key: %w", err)
		}
		if k := new(big.Int).SetBytes(b); k.Sign() > 0 && k.Cmp(n) < 0 {
			return ecdsa.ParseRawPrivateKey(elliptic.P384(), b)
		}
	}
	return nil, errors.New("derive signing key: no valid scalar")
}

// Fingerprint is "SHA256:" and the lower-case hex SHA-256 of the public key:
// of its SPKI DER for the ECDSA identity (what `openssl pkey -pubin -outform
// DER | sha256sum` prints), of the raw 32 bytes for a version-1 Ed25519 kit.
// It is what a user reads out to a reviewer to pin their key.
func Fingerprint(pub crypto.PublicKey) string {
	var b []byte
	switch k := pub.(type) {
	case ed25519.PublicKey:
		b = k
	default:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return ""
		}
		b = der
	}
	sum := sha256.Sum256(b)
	return "SHA256:" + hex.EncodeToString(sum[:])
}

// ParseFingerprint accepts a fingerprint as people paste it — "SHA256:<hex>",
// the bare hex sha256sum prints, any case, surrounding spaces, a trailing
// "  -" — and returns the canonical "SHA256:<lower hex>".
func ParseFingerprint(s string) (string, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSpace(strings.TrimSuffix(t, "-")) // sha256sum's "  -" for stdin
	if len(t) > 7 && strings.EqualFold(t[:7], "sha256:") {
		t = t[7:]
	}
	t = strings.ToLower(t)
	if len(t) != 64 {
		return "", fmt.Errorf("fingerprint %q is not SHA256: followed by 64 hex digits", s)
	}
	if _, err := hex.DecodeString(t); err != nil {
		return "", fmt.Errorf("fingerprint %q is not SHA256: followed by 64 hex digits", s)
	}
	return "SHA256:" + t, nil
}

// PublicKeyPEM encodes pub as a PEM "PUBLIC KEY" (SPKI), the form
// `openssl pkeyutl -verify -pubin` and `openssl dgst -verify` read.
func PublicKeyPEM(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKeyPEM reads a public key written by PublicKeyPEM: an ECDSA
// P-384 key, or the Ed25519 key of a version-1 kit.
func ParsePublicKeyPEM(b []byte) (crypto.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM PUBLIC KEY")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	switch k := k.(type) {
	case ed25519.PublicKey:
		return k, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P384() {
			return nil, fmt.Errorf("public key is ECDSA %s, want P-384", k.Curve.Params().Name)
		}
		return k, nil
	}
	return nil, fmt.Errorf("public key is %T, want ECDSA P-384", k)
}

func signingKeyInfo(pub *ecdsa.PublicKey) (SigningKey, []byte, error) {
	p, err := PublicKeyPEM(pub)
	if err != nil {
		return SigningKey{}, nil, err
	}
	return SigningKey{Algorithm: AlgECDSA, PublicKey: string(p), Fingerprint: Fingerprint(pub)}, p, nil
}
