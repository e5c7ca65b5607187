package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/digitorus/timestamp"
)

// RFC 3161 trusted timestamps, prepared offline: the host never calls the
// network, so the user sends the request (.tsq) to a timestamp authority
// (TSA) themselves and attaches the response (.tsr) to the file.
//
// What is timestamped is the signature: manifest.json.sig in a kit, the
// decoded signedData.signature in a WACZ (the WACZ signing spec's
// timeSignature is a timestamp "of signature" too). A timestamp on the
// signature proves the signed manifest — and so every file's hash — existed
// at that time. Signature and manifest stay untouched: the response is added
// as FileTimestamp, which no hash list covers.

// FileTimestamp is the RFC 3161 response stored in a kit or WACZ.
const FileTimestamp = "timestamp.tsr"

// TimestampInfo is what a verified timestamp says.
type TimestampInfo struct {
	TSA     string    `json:"tsa"`  // the signing certificate's subject
	Time    time.Time `json:"time"` // genTime, UTC
	Serial  string    `json:"serial"`
	Imprint string    `json:"imprint"` // hex SHA-256 of the timestamped bytes
}

// TimestampedData returns the bytes a timestamp of the file at path covers
// (its signature) and the file's kind ("kit" or "wacz").
func TimestampedData(path string) ([]byte, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return nil, "", fmt.Errorf("%s is not a zip file: %w", path, err)
	}
	return timestampedData(zr)
}

func timestampedData(zr *zip.Reader) ([]byte, string, error) {
	find := func(name string) *zip.File {
		for _, f := range zr.File {
			if f.Name == name {
				return f
			}
		}
		return nil
	}
	if f := find(FileSignature); f != nil {
		b, err := readEntry(f, maxSmallFile)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", FileSignature, err)
		}
		return b, "kit", nil
	}
	if f := find(WACZDigest); f != nil {
		b, err := readEntry(f, maxSmallFile)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", WACZDigest, err)
		}
		var d DataPackageDigest
		if err := json.Unmarshal(b, &d); err != nil {
			return nil, "", fmt.Errorf("%s: %w", WACZDigest, err)
		}
		sig, err := base64.StdEncoding.DecodeString(d.SignedData.Signature)
		if err != nil || len(sig) == 0 {
			return nil, "", fmt.Errorf("%s: no signature to timestamp", WACZDigest)
		}
		return sig, "wacz", nil
	}
	return nil, "", errors.New("neither a signed evidence kit (manifest.json.sig) nor a signed WACZ (datapackage-digest.json)")
}

// NewTimestampRequest is a DER RFC 3161 request for data: SHA-256 imprint, a
// random nonce, and the TSA's certificate asked for, so the response can be
// checked without fetching it.
func NewTimestampRequest(data []byte) ([]byte, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, fmt.Errorf("timestamp request: %w", err)
	}
	req, err := timestamp.CreateRequest(bytes.NewReader(data), &timestamp.RequestOptions{Hash: crypto.SHA256, Certificates: true, Nonce: nonce})
	if err != nil {
		return nil, fmt.Errorf("timestamp request: %w", err)
	}
	return req, nil
}

// parseTimestamp checks an RFC 3161 response (or bare token) against data:
// granted, signed by the certificate it carries, and its imprint the SHA-256
// of data. It does not decide whether to trust the TSA: that is the
// reviewer's `openssl ts -verify -CAfile …` (docs/evidence-kit.md).
func parseTimestamp(tsr, data []byte) (*timestamp.Timestamp, *TimestampInfo, error) {
	ts, err := timestamp.ParseResponse(tsr)
	if err != nil {
		if ts, err = timestamp.Parse(tsr); err != nil {
			return nil, nil, fmt.Errorf("not a usable RFC 3161 timestamp response: %v", err)
		}
	}
	if len(ts.Certificates) == 0 {
		return nil, nil, errors.New("the response carries no TSA certificate, so its signature cannot be checked (request it with the certificate: the .tsq from 'ringfence timestamp request' does)")
	}
	if ts.HashAlgorithm != crypto.SHA256 {
		return nil, nil, fmt.Errorf("the timestamp uses %v, not SHA-256", ts.HashAlgorithm)
	}
	want := sha256.Sum256(data)
	if !bytes.Equal(ts.HashedMessage, want[:]) {
		return nil, nil, fmt.Errorf("the timestamp is for another file (imprint %x, this file's signature hashes to %x)", ts.HashedMessage, want)
	}
	signer := ts.Certificates[0]
	for _, c := range ts.Certificates {
		for _, u := range c.ExtKeyUsage {
			if u == x509.ExtKeyUsageTimeStamping {
				signer = c
			}
		}
	}
	info := &TimestampInfo{TSA: signer.Subject.String(), Time: ts.Time.UTC(), Imprint: hex.EncodeToString(want[:])}
	if ts.SerialNumber != nil {
		info.Serial = ts.SerialNumber.String()
	}
	return ts, info, nil
}

// checkTimestamp adds the timestamp in f, if any, to v.
func checkTimestamp(v *Verification, entries map[string]*zip.File, zr *zip.Reader) {
	f, ok := entries[FileTimestamp]
	if !ok {
		return
	}
	tsr, err := readEntry(f, maxSmallFile)
	if err != nil {
		v.add(FileTimestamp, "cannot be read: %v", err)
		return
	}
	data, _, err := timestampedData(zr)
	if err != nil {
		v.add(FileTimestamp, "nothing to check it against: %v", err)
		return
	}
	_, info, err := parseTimestamp(tsr, data)
	if err != nil {
		v.add(FileTimestamp, "%v", err)
		return
	}
	v.Timestamp = info
}

// AttachTimestamp checks the response tsr against the file at path (and
// against the request tsq when given: same imprint, same nonce) and stores it
// in the file as FileTimestamp, replacing an earlier one. Every other entry
// is copied byte for byte, so hashes and signature stay valid. The file is
// rewritten beside itself and renamed into place.
func AttachTimestamp(ctx context.Context, path string, tsr, tsq []byte) (*TimestampInfo, error) {
	data, _, err := TimestampedData(path)
	if err != nil {
		return nil, err
	}
	ts, info, err := parseTimestamp(tsr, data)
	if err != nil {
		return nil, err
	}
	if tsq != nil {
		req, err := timestamp.ParseRequest(tsq)
		if err != nil {
			return nil, fmt.Errorf("the request: %w", err)
		}
		if !bytes.Equal(req.HashedMessage, ts.HashedMessage) {
			return nil, errors.New("the response does not answer this request (different imprint)")
		}
		if req.Nonce != nil && (ts.Nonce == nil || req.Nonce.Cmp(ts.Nonce) != 0) {
			return nil, errors.New("the response does not answer this request (different nonce)")
		}
	}
	if err := rewriteWith(ctx, path, FileTimestamp, tsr); err != nil {
		return nil, err
	}
	return info, nil
}

// rewriteWith copies the zip at path into a new file with name set to b.
func rewriteWith(ctx context.Context, path, name string, b []byte) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(in, st.Size())
	if err != nil {
		return fmt.Errorf("%s is not a zip file: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return fmt.Errorf("create a file beside %s: %w", path, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.Name == name {
			continue
		}
		if err := zw.Copy(f); err != nil {
			return fmt.Errorf("copy %s: %w", f.Name, err)
		}
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Now()})
	if err == nil {
		_, err = io.Copy(fw, bytes.NewReader(b))
	}
	for _, step := range []func() error{zw.Close, tmp.Sync, tmp.Close} {
		if err == nil {
			err = step()
		}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := os.Chmod(tmp.Name(), st.Mode().Perm()); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	return nil
}
