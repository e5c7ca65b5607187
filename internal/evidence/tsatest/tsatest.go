// Package tsatest runs a real RFC 3161 timestamp authority for tests: a
// throwaway CA and TSA certificate made with the openssl CLI, and
// `openssl ts -reply` answering each request, as a public TSA would. It
// fails the test (never skips) when openssl is missing.
package tsatest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TSA is a local timestamp authority.
type TSA struct {
	t   testing.TB
	dir string
	// CA is the PEM file of the root that signed the TSA certificate: what a
	// reviewer passes to `openssl ts -verify -CAfile`.
	CA string
	// Subject is the TSA certificate's subject as Go prints it.
	Subject string
}

// New makes a CA and a TSA certificate (CN=name) in a temporary folder.
func New(t testing.TB, name string) *TSA {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("openssl is needed for the timestamp tests: apt-get install -y openssl")
	}
	dir := t.TempDir()
	a := &TSA{t: t, dir: dir, CA: filepath.Join(dir, "ca.pem"), Subject: "CN=" + name + ",O=Ringfence Test TSA"}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("tsa.ext", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n")
	write("serial", "01\n")
	write("tsa.cnf", `[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = `+dir+`
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`)
	a.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
		"-days", "2", "-subj", "/O=Ringfence Test TSA/CN=Test Root CA",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	a.run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
		"-subj", "/O=Ringfence Test TSA/CN="+name)
	a.run("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
		"-extfile", "tsa.ext", "-out", "tsa.pem")
	return a
}

func (a *TSA) run(args ...string) string {
	a.t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = a.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		a.t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Reply answers the request in the file tsq with `openssl ts -reply` and
// returns the path of the response.
func (a *TSA) Reply(tsq string) string {
	a.t.Helper()
	out := tsq + ".reply.tsr"
	a.run("ts", "-reply", "-config", filepath.Join(a.dir, "tsa.cnf"), "-queryfile", tsq, "-out", out)
	return out
}

// Verify runs the reviewer's independent check, `openssl ts -verify -data
// data -in tsr -CAfile ca.pem`, and returns its output and error.
func (a *TSA) Verify(data, tsr string) (string, error) {
	cmd := exec.Command("openssl", "ts", "-verify", "-data", data, "-in", tsr, "-CAfile", a.CA)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
