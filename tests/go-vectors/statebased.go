package main

import (
	"encoding/hex"
	"sort"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// sbOp is one call on a KeyEndorsementPolicy: "add" (with Role) or "del".
type sbOp struct {
	Op   string   `json:"op"`
	Role string   `json:"role,omitempty"`
	Orgs []string `json:"orgs"`
}

type sbVector struct {
	Name string `json:"name"`
	// Initial is the hex policy handed to NewStateEP; absent means nil.
	Initial *string `json:"initial,omitempty"`
	// NewOK is whether NewStateEP accepted Initial; Error is Go's message otherwise.
	NewOK  bool     `json:"new_ok"`
	Error  string   `json:"error,omitempty"`
	Ops    []sbOp   `json:"ops,omitempty"`
	Policy string   `json:"policy,omitempty"` // hex of Policy() after the ops
	Orgs   []string `json:"orgs,omitempty"`   // ListOrgs() sorted
}

func role(mspID string, r msp.MSPRole_MSPRoleType) *msp.MSPPrincipal {
	b, err := proto.Marshal(&msp.MSPRole{MspIdentifier: mspID, Role: r})
	if err != nil {
		panic(err)
	}
	return &msp.MSPPrincipal{PrincipalClassification: msp.MSPPrincipal_ROLE, Principal: b}
}

func hexp(b []byte) *string {
	s := hex.EncodeToString(b)
	return &s
}

func mustMarshal(m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

func buildStatebasedVectors() ([]sbVector, error) {
	ou := mustMarshal(&msp.OrganizationUnit{MspIdentifier: "OuMSP", OrganizationalUnitIdentifier: "peer"})
	mixed := mustMarshal(&common.SignaturePolicyEnvelope{
		Version: 0,
		Rule: &common.SignaturePolicy{Type: &common.SignaturePolicy_NOutOf_{NOutOf: &common.SignaturePolicy_NOutOf{
			N: 1, Rules: []*common.SignaturePolicy{{Type: &common.SignaturePolicy_SignedBy{SignedBy: 0}}},
		}}},
		Identities: []*msp.MSPPrincipal{
			role("OrgZ", msp.MSPRole_ADMIN),
			{PrincipalClassification: msp.MSPPrincipal_ORGANIZATION_UNIT, Principal: ou},
			{PrincipalClassification: msp.MSPPrincipal_IDENTITY, Principal: []byte("some identity")},
			role("OrgX", msp.MSPRole_MSPRoleType(17)),
			role("OrgB", msp.MSPRole_CLIENT),
			role("OrgB", msp.MSPRole_ORDERER), // later principal for the same MSP wins
		},
	})
	badRole := mustMarshal(&common.SignaturePolicyEnvelope{
		Identities: []*msp.MSPPrincipal{{PrincipalClassification: msp.MSPPrincipal_ROLE, Principal: []byte{0xff, 0xff}}},
	})
	badOU := mustMarshal(&common.SignaturePolicyEnvelope{
		Identities: []*msp.MSPPrincipal{{PrincipalClassification: msp.MSPPrincipal_ORGANIZATION_UNIT, Principal: []byte{0xff, 0xff}}},
	})

	many := []string{"org10", "org2", "Org1", "ORG3", "zeta", "Alpha", "alpha", "Ørg", "org-1", "org_1", "org.1", "1org"}
	cases := []sbVector{
		{Name: "empty"},
		{Name: "empty-bytes-initial", Initial: hexp([]byte{})},
		{Name: "one-peer", Ops: []sbOp{{"add", "PEER", []string{"Org1MSP"}}}},
		{Name: "one-member", Ops: []sbOp{{"add", "MEMBER", []string{"Org1MSP"}}}},
		{Name: "three-member-unsorted", Ops: []sbOp{{"add", "MEMBER", []string{"Org3MSP", "Org1MSP", "Org2MSP"}}}},
		{Name: "three-peer-unsorted", Ops: []sbOp{{"add", "PEER", []string{"Org3MSP", "Org1MSP", "Org2MSP"}}}},
		{Name: "duplicates", Ops: []sbOp{{"add", "PEER", []string{"Org1MSP", "Org1MSP", "Org2MSP"}}}},
		{Name: "role-overwrite-and-delete", Ops: []sbOp{
			{"add", "PEER", []string{"Org1MSP", "Org2MSP", "Org3MSP"}},
			{"add", "MEMBER", []string{"Org2MSP"}},
			{"del", "", []string{"Org1MSP", "NotThere"}},
		}},
		{Name: "delete-all", Ops: []sbOp{{"add", "PEER", []string{"Org1MSP"}}, {"del", "", []string{"Org1MSP"}}}},
		{Name: "many-orgs-byte-order", Ops: []sbOp{{"add", "PEER", many}}},
		{Name: "mixed-principals", Initial: hexp(mixed)},
		{Name: "mixed-principals-then-add", Initial: hexp(mixed), Ops: []sbOp{
			{"add", "PEER", []string{"OrgA"}}, {"del", "", []string{"OrgZ"}},
		}},
		{Name: "bad-protobuf", Initial: hexp([]byte{0xff, 0xff, 0xff})},
		{Name: "bad-role-principal", Initial: hexp(badRole)},
		{Name: "bad-non-role-principal-ignored", Initial: hexp(badOU)},
	}
	// Round trip: the policy of a previous case as the initial policy of a new one.
	for _, c := range []string{"three-peer-unsorted", "role-overwrite-and-delete", "many-orgs-byte-order"} {
		cases = append(cases, sbVector{Name: "reparse-" + c})
	}

	byName := map[string]*sbVector{}
	for i := range cases {
		c := &cases[i]
		if len(c.Name) > 8 && c.Name[:8] == "reparse-" {
			c.Initial = hexp(mustHex(byName[c.Name[8:]].Policy))
		}
		var initial []byte
		if c.Initial != nil {
			initial = mustHex(*c.Initial)
			if initial == nil {
				initial = []byte{}
			}
		}
		ep, err := statebased.NewStateEP(initial)
		if err != nil {
			c.Error = err.Error()
			byName[c.Name] = c
			continue
		}
		c.NewOK = true
		for _, op := range c.Ops {
			switch op.Op {
			case "add":
				if err := ep.AddOrgs(statebased.RoleType(op.Role), op.Orgs...); err != nil {
					return nil, err
				}
			case "del":
				ep.DelOrgs(op.Orgs...)
			}
		}
		p, err := ep.Policy()
		if err != nil {
			return nil, err
		}
		c.Policy = hex.EncodeToString(p)
		c.Orgs = ep.ListOrgs()
		sort.Strings(c.Orgs)
		byName[c.Name] = c
	}
	return cases, nil
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
