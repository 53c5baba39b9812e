package main

import (
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// creatorStub is the one stub method pkg/cid needs.
type creatorStub struct{ creator []byte }

func (s creatorStub) GetCreator() ([]byte, error) { return s.creator, nil }

type attrQuery struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Found bool   `json:"found"`
}

type ouQuery struct {
	OU    string `json:"ou"`
	Found bool   `json:"found"`
}

type assertQuery struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Error string `json:"error"` // "" = assertion holds
}

type cidVector struct {
	Name string `json:"name"`
	// PemFile is relative to the testdata directory; when empty, CreatorHex is the whole creator.
	PemFile    string `json:"pem_file,omitempty"`
	CreatorHex string `json:"creator_hex,omitempty"`
	MSPID      string `json:"mspid"`
	// OK is whether cid.New accepted the creator; Error is Go's message otherwise.
	OK        bool          `json:"ok"`
	Error     string        `json:"error,omitempty"`
	ID        string        `json:"id,omitempty"`
	IDDecoded string        `json:"id_decoded,omitempty"`
	Attrs     []attrQuery   `json:"attrs,omitempty"`
	HasOU     []ouQuery     `json:"has_ou,omitempty"`
	Assert    []assertQuery `json:"assert,omitempty"`
}

func creatorFor(mspid string, idBytes []byte) []byte {
	b, err := proto.Marshal(&msp.SerializedIdentity{Mspid: mspid, IdBytes: idBytes})
	if err != nil {
		panic(err)
	}
	return b
}

// probeAttrs lists attribute names asked of every certificate.
var probeAttrs = []string{
	"hf.Affiliation", "hf.EnrollmentID", "hf.Type", "role", "missing",
	"a", "nullval", "unicode", "", "dup", "k", "K", "ATTRS", "n", "other",
}

func buildCIDVectors(out string) ([]cidVector, error) {
	var vectors []cidVector
	for _, spec := range certSpecs {
		pemBytes, err := os.ReadFile(filepath.Join(out, "cid", spec.file))
		if err != nil {
			return nil, err
		}
		v := describe(spec.file, creatorFor("Org1MSP", pemBytes))
		v.PemFile = "cid/" + spec.file
		vectors = append(vectors, v)
	}
	// Creators that are not PEM certificates.
	raw := map[string][]byte{
		"not-protobuf":   {0xff, 0xff, 0xff},
		"empty-creator":  {},
		"id-not-pem":     creatorFor("Org1MSP", []byte("not a certificate")),
		"pem-not-cert":   creatorFor("Org1MSP", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")),
		"idemix-like":    creatorFor("IdemixMSP", mustIdemix()),
		"empty-id-bytes": creatorFor("Org1MSP", nil),
	}
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := describe(n, raw[n])
		v.CreatorHex = hex.EncodeToString(raw[n])
		vectors = append(vectors, v)
	}
	return vectors, nil
}

func mustIdemix() []byte {
	ou, _ := proto.Marshal(&msp.OrganizationUnit{OrganizationalUnitIdentifier: "org1"})
	role, _ := proto.Marshal(&msp.MSPRole{MspIdentifier: "IdemixMSP", Role: msp.MSPRole_ADMIN})
	b, err := proto.Marshal(&msp.SerializedIdemixIdentity{NymX: []byte{1}, NymY: []byte{2}, Ou: ou, Role: role, Proof: []byte{3}})
	if err != nil {
		panic(err)
	}
	return b
}

func describe(name string, creator []byte) cidVector {
	v := cidVector{Name: name}
	sid := &msp.SerializedIdentity{}
	if proto.Unmarshal(creator, sid) == nil {
		v.MSPID = sid.Mspid
	}
	c, err := cid.New(creatorStub{creator})
	if err != nil {
		v.Error = err.Error()
		return v
	}
	v.OK = true
	cert, _ := c.GetX509Certificate()
	if cert == nil {
		// Go accepted a non-X.509 (idemix) identity; record that and stop.
		v.Error = "accepted as idemix (no X.509 certificate)"
		for _, n := range []string{"ou", "role"} {
			val, found, _ := c.GetAttributeValue(n)
			v.Attrs = append(v.Attrs, attrQuery{n, val, found})
		}
		return v
	}
	id, err := c.GetID()
	if err != nil {
		panic(err)
	}
	v.ID = id
	dec, _ := base64.StdEncoding.DecodeString(id)
	v.IDDecoded = string(dec)
	for _, n := range probeAttrs {
		val, found, _ := c.GetAttributeValue(n)
		v.Attrs = append(v.Attrs, attrQuery{n, val, found})
	}
	ous := append([]string{}, cert.Subject.OrganizationalUnit...)
	ous = append(ous, "nope", "CLIENT", "")
	for _, ou := range ous {
		found, _ := c.HasOUValue(ou)
		v.HasOU = append(v.HasOU, ouQuery{ou, found})
	}
	for _, q := range [][2]string{{"role", "auditor"}, {"role", "admin"}, {"missing", "x"}, {"a", "1"}, {"a", "2"}, {"nullval", ""}} {
		msg := ""
		if err := c.AssertAttributeValue(q[0], q[1]); err != nil {
			msg = err.Error()
		}
		v.Assert = append(v.Assert, assertQuery{q[0], q[1], msg})
	}
	return v
}
