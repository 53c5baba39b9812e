package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
	"unicode/utf16"
)

// ASN.1 universal tags of the string types a certificate name may use.
const (
	tagUTF8      = 12
	tagNumeric   = 18
	tagPrintable = 19
	tagT61       = 20
	tagIA5       = 22
	tagBMP       = 30
	tagInteger   = 2
)

var (
	oidC      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidST     = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidL      = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidStreet = asn1.ObjectIdentifier{2, 5, 4, 9}
	oidPostal = asn1.ObjectIdentifier{2, 5, 4, 17}
	oidO      = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU     = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidCN     = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSerial = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidEmail  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidDC     = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}
	oidTitle  = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidCustom = asn1.ObjectIdentifier{1, 2, 3, 4}
	oidAttrs  = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}
)

// atv is one attribute of a hand-built name: type, ASN.1 string tag and raw value bytes.
type atv struct {
	oid   asn1.ObjectIdentifier
	tag   int
	value []byte
}

func utf8v(oid asn1.ObjectIdentifier, s string) atv { return atv{oid, tagUTF8, []byte(s)} }
func printable(oid asn1.ObjectIdentifier, s string) atv {
	return atv{oid, tagPrintable, []byte(s)}
}

func bmp(oid asn1.ObjectIdentifier, s string) atv {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return atv{oid, tagBMP, b}
}

// rawName DER-encodes a Name whose RDNs (each a set of attributes) are given in certificate order.
func rawName(rdns ...[]atv) []byte {
	seq := make(pkix.RDNSequence, 0, len(rdns))
	for _, rdn := range rdns {
		set := make(pkix.RelativeDistinguishedNameSET, 0, len(rdn))
		for _, a := range rdn {
			set = append(set, pkix.AttributeTypeAndValue{
				Type:  a.oid,
				Value: asn1.RawValue{Class: asn1.ClassUniversal, Tag: a.tag, Bytes: a.value},
			})
		}
		seq = append(seq, set)
	}
	der, err := asn1.Marshal(seq)
	if err != nil {
		panic(err)
	}
	return der
}

func one(a atv) []atv { return []atv{a} }

// certSpec describes one fixture certificate.
type certSpec struct {
	file     string
	subject  []byte // raw DER subject
	issuer   string // file of the issuing fixture; "" = self-signed
	isCA     bool
	attrJSON string // value of the 1.2.3.4.5.6.7.8.1 extension; "" = none
	attrCrit bool
}

func key(seed string) ed25519.PrivateKey {
	s := sha256.Sum256([]byte("gridledger go-vectors " + seed))
	return ed25519.NewKeyFromSeed(s[:])
}

var certSpecs = []certSpec{
	{
		file: "ca.pem",
		subject: rawName(
			one(printable(oidC, "US")), one(printable(oidST, "North Carolina")), one(printable(oidL, "Durham")),
			one(printable(oidO, "org1.example.com")), one(printable(oidCN, "ca.org1.example.com")),
		),
		isCA: true,
	},
	{
		// Shaped like a Fabric CA enrollment certificate: OUs in separate RDNs, hf.* attributes.
		file: "user1.pem",
		subject: rawName(
			one(printable(oidC, "US")), one(printable(oidST, "North Carolina")), one(printable(oidO, "Hyperledger")),
			one(printable(oidOU, "client")), one(printable(oidOU, "org1")), one(printable(oidOU, "department1")),
			one(printable(oidCN, "user1")),
		),
		issuer:   "ca.pem",
		attrJSON: `{"attrs":{"hf.Affiliation":"org1.department1","hf.EnrollmentID":"user1","hf.Type":"client","role":"auditor"}}`,
	},
	{
		// A CA whose own name carries attributes Go's cid drops (unknown OID, emailAddress, DC, title).
		file: "odd-ca.pem",
		subject: rawName(
			one(atv{oidDC, tagIA5, []byte("com")}), one(atv{oidDC, tagIA5, []byte("example")}),
			one(printable(oidO, "Odd CA, Inc.")),
			one(utf8v(oidCustom, "custom value")),
			one(atv{oidEmail, tagIA5, []byte("ca@example.com")}),
			one(utf8v(oidTitle, "Root")),
			one(utf8v(oidCN, "Odd Root CA")),
		),
		isCA: true,
	},
	{
		// Every escaping rule, every string type, a multi-valued RDN, duplicate CNs (last wins).
		file: "escaping.pem",
		subject: rawName(
			one(printable(oidC, "DE")),
			one(utf8v(oidCN, "first cn, overwritten")),
			one(utf8v(oidO, `Smith, Jones + "Partners" <ltd>; a\b`)),
			one(utf8v(oidO, "#hash=start")),
			one(utf8v(oidOU, " leading and trailing ")),
			[]atv{utf8v(oidOU, "multi=valued"), utf8v(oidOU, "second # in set")},
			one(utf8v(oidCustom, "dropped by cid")),
			one(atv{oidL, tagT61, []byte("M\xfcnchen")}),
			one(bmp(oidST, "Bayern \u00e4\u4e2d")),
			one(printable(oidSerial, "SN 12345")),
			one(utf8v(oidStreet, "1 Main St; Apt 2")),
			one(atv{oidPostal, tagNumeric, []byte("80331")}),
			one(atv{oidEmail, tagIA5, []byte("user@example.com")}),
			one(utf8v(oidCN, "Ünïcödé 名前 \"quoted\" ")),
		),
		issuer: "odd-ca.pem",
	},
	{
		// An empty CN after a real one erases it (Go keeps only the last CN, and drops an empty one).
		file: "empty-cn.pem",
		subject: rawName(
			one(printable(oidO, "Org")), one(utf8v(oidCN, "real")), one(utf8v(oidCN, "")),
			one(utf8v(oidSerial, "")), one(utf8v(oidOU, "")), one(utf8v(oidOU, " ")),
		),
		issuer: "ca.pem",
	},
	{
		file:     "attrs-quirks.pem",
		subject:  rawName(one(utf8v(oidCN, "quirks"))),
		issuer:   "ca.pem",
		attrJSON: `{"other":5,"attrs":{"a":"1","nullval":null,"unicode":"\u00e9\"q","":"empty name","dup":"first","dup":"second"}}`,
		attrCrit: true,
	},
	{
		file:     "attrs-case.pem",
		subject:  rawName(one(utf8v(oidCN, "case"))),
		issuer:   "ca.pem",
		attrJSON: `{"ATTRS":{"k":"v"}}`,
	},
	{
		file:     "attrs-null.pem",
		subject:  rawName(one(utf8v(oidCN, "null attrs"))),
		issuer:   "ca.pem",
		attrJSON: `{"attrs":null}`,
	},
	{
		file:     "attrs-empty.pem",
		subject:  rawName(one(utf8v(oidCN, "empty attrs"))),
		issuer:   "ca.pem",
		attrJSON: `{}`,
	},
	{
		file:     "attrs-bad-json.pem",
		subject:  rawName(one(utf8v(oidCN, "bad json"))),
		issuer:   "ca.pem",
		attrJSON: `{"attrs":{"a":"1"`,
	},
	{
		file:     "attrs-nonstring.pem",
		subject:  rawName(one(utf8v(oidCN, "nonstring"))),
		issuer:   "ca.pem",
		attrJSON: `{"attrs":{"n":5}}`,
	},
	{
		file:     "attrs-array.pem",
		subject:  rawName(one(utf8v(oidCN, "array"))),
		issuer:   "ca.pem",
		attrJSON: `["attrs"]`,
	},
	{
		// '@' is not a PrintableString character: Go refuses the certificate.
		file:    "bad-printable.pem",
		subject: rawName(one(printable(oidCN, "user@example.com"))),
		issuer:  "ca.pem",
	},
	{
		// A name attribute that is not a string at all: Go refuses the certificate.
		file:    "integer-name.pem",
		subject: rawName(one(atv{oidCN, tagInteger, []byte{0x05}})),
		issuer:  "ca.pem",
	},
	{
		file:    "empty-subject.pem",
		subject: rawName(),
		issuer:  "ca.pem",
	},
}

// writeCertFixtures (re)creates every fixture certificate as PEM in dir.
func writeCertFixtures(dir string) error {
	issued := map[string]*x509.Certificate{}
	for i, spec := range certSpecs {
		priv := key(spec.file)
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(int64(1000 + i)),
			RawSubject:            spec.subject,
			NotBefore:             time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC),
			KeyUsage:              x509.KeyUsageDigitalSignature,
			BasicConstraintsValid: true,
			IsCA:                  spec.isCA,
		}
		if spec.isCA {
			tmpl.KeyUsage |= x509.KeyUsageCertSign
		}
		if spec.attrJSON != "" {
			tmpl.ExtraExtensions = []pkix.Extension{{Id: oidAttrs, Critical: spec.attrCrit, Value: []byte(spec.attrJSON)}}
		}
		parent, signer := tmpl, priv
		if spec.issuer != "" {
			p, ok := issued[spec.issuer]
			if !ok {
				return fmt.Errorf("%s: issuer %s not generated yet", spec.file, spec.issuer)
			}
			parent, signer = p, key(spec.issuer)
		}
		der, err := x509.CreateCertificate(zeroReader{}, tmpl, parent, priv.Public(), signer)
		if err != nil {
			return fmt.Errorf("%s: %w", spec.file, err)
		}
		if spec.isCA {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return fmt.Errorf("%s: %w", spec.file, err)
			}
			issued[spec.file] = c
		}
		var buf bytes.Buffer
		if err := pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: der}); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, spec.file), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// zeroReader is a deterministic "random" source; Ed25519 signing does not consume it.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
