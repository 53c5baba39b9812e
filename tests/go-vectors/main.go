// Command go-vectors writes the reference vectors that pin gridledger-shim's `identity` and
// `statebased` modules to the behaviour of Go's fabric-chaincode-go v2.3.0 (`pkg/cid`,
// `pkg/statebased`).
//
// Usage (see regen.sh):
//
//	go run . -out ../../chaincode/shim/testdata
//
// It first (re)writes the certificate fixtures under <out>/cid/ (deterministic: Ed25519 keys
// from fixed seeds, fixed validity and serial numbers, so a rerun produces identical bytes),
// then reads them back and records what Go's cid package answers for each in
// <out>/cid_vectors.json, and what Go's statebased package produces for a set of scripted
// org operations in <out>/statebased_vectors.json. Byte strings are hex-encoded.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "../../chaincode/shim/testdata", "testdata directory of gridledger-shim")
	flag.Parse()

	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "go-vectors:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	certDir := filepath.Join(out, "cid")
	if err := os.MkdirAll(certDir, 0o755); err != nil {
		return err
	}
	if err := writeCertFixtures(certDir); err != nil {
		return fmt.Errorf("certificate fixtures: %w", err)
	}
	cidVectors, err := buildCIDVectors(out)
	if err != nil {
		return fmt.Errorf("cid vectors: %w", err)
	}
	if err := writeJSON(filepath.Join(out, "cid_vectors.json"), cidVectors); err != nil {
		return err
	}
	sbVectors, err := buildStatebasedVectors()
	if err != nil {
		return fmt.Errorf("statebased vectors: %w", err)
	}
	return writeJSON(filepath.Join(out, "statebased_vectors.json"), sbVectors)
}

func writeJSON(path string, v any) error {
	buf, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	buf = append(buf, '\n')
	return os.WriteFile(path, buf, 0o644)
}
