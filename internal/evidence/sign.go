package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
)

// SigningKey describes the kit's Ed25519 key inside manifest.json, so the
// signed bytes name the key that must verify them.
type SigningKey struct {
	Algorithm   string `json:"algorithm"`
	PublicKey   string `json:"public_key"` // SPKI, PEM body as in public-key.pem
	Fingerprint string `json:"fingerprint"`
}

// Fingerprint is "SHA256:" and the hex SHA-256 of the raw 32-byte public key;
// it is what a user reads out to a reviewer to pin their key.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + hex.EncodeToString(sum[:])
}

// PublicKeyPEM encodes pub as a PEM "PUBLIC KEY" (SPKI), the form
// `openssl pkeyutl -verify -pubin` reads.
func PublicKeyPEM(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKeyPEM reads an Ed25519 public key written by PublicKeyPEM.
func ParsePublicKeyPEM(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM PUBLIC KEY")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key is %T, want Ed25519", k)
	}
	return pub, nil
}

func signingKeyInfo(pub ed25519.PublicKey) (SigningKey, []byte, error) {
	p, err := PublicKeyPEM(pub)
	if err != nil {
		return SigningKey{}, nil, err
	}
	return SigningKey{Algorithm: "Ed25519", PublicKey: string(p), Fingerprint: Fingerprint(pub)}, p, nil
}
