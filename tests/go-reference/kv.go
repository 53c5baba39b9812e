// Package main is the Go reference implementation of the kv chaincode
// (chaincode/examples/kv/SPEC.md) on the raw fabric-chaincode-go v2 shim. The
// Rust example chaincode implements the same transaction set; the
// differential test and the benchmark compare the two byte for byte.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// KV implements shim.Chaincode.
type KV struct{}

type kvRecord struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type compositeRecord struct {
	Attrs []string `json:"attrs"`
	Value string   `json:"value"`
}

type page[T any] struct {
	Records  []T    `json:"records"`
	Count    int32  `json:"count"`
	Bookmark string `json:"bookmark"`
}

type historyRecord struct {
	TxID     string `json:"txId"`
	Value    string `json:"value"`
	IsDelete bool   `json:"isDelete"`
	Seconds  int64  `json:"seconds"`
	Nanos    int32  `json:"nanos"`
}

type whoAmI struct {
	MSPID string `json:"mspId"`
	ID    string `json:"id"`
}

type txInfo struct {
	TxID    string `json:"txId"`
	Channel string `json:"channel"`
	Seconds int64  `json:"seconds"`
	Nanos   int32  `json:"nanos"`
}

// handler gets the arguments after the function name.
type handler func(stub shim.ChaincodeStubInterface, args []string) ([]byte, error)

type function struct {
	nargs    int
	variadic bool // nargs is then a minimum
	fn       handler
}

var functions = map[string]function{
	"Put":            {2, false, put},
	"Get":            {1, false, get},
	"Del":            {1, false, del},
	"GetPut":         {2, false, getPut},
	"Range":          {2, false, rangeQuery},
	"RangePage":      {4, false, rangePage},
	"PutComposite":   {2, true, putComposite},
	"ByPartial":      {1, true, byPartial},
	"ByPartialPage":  {3, true, byPartialPage},
	"History":        {1, false, history},
	"PutPrivate":     {2, false, putPrivate},
	"GetPrivate":     {2, false, getPrivate},
	"GetPrivateHash": {2, false, getPrivateHash},
	"DelPrivate":     {2, false, delPrivate},
	"PurgePrivate":   {2, false, purgePrivate},
	"Event":          {2, false, event},
	"Invoke":         {2, true, invoke},
	"SetEndorsers":   {1, true, setEndorsers},
	"Endorsers":      {1, false, endorsers},
	"WhoAmI":         {0, false, whoAmIFn},
	"TxInfo":         {0, false, txInfoFn},
	"PutMany":        {2, false, putMany},
	"GetMany":        {1, true, getMany},
}

// Init does nothing: the kv chaincode keeps no bootstrap state.
func (KV) Init(shim.ChaincodeStubInterface) *peer.Response { return shim.Success(nil) }

// Invoke dispatches on args[0].
func (KV) Invoke(stub shim.ChaincodeStubInterface) *peer.Response {
	raw := stub.GetArgs()
	name := ""
	if len(raw) > 0 {
		name = string(raw[0])
	}
	args := make([]string, 0, len(raw))
	for _, a := range raw[min(1, len(raw)):] {
		args = append(args, string(a))
	}
	f, ok := functions[name]
	if !ok {
		return shim.Error("unknown function: " + name)
	}
	if f.variadic && len(args) < f.nargs {
		return shim.Error(fmt.Sprintf("%s expects at least %d arguments", name, f.nargs))
	}
	if !f.variadic && len(args) != f.nargs {
		return shim.Error(fmt.Sprintf("%s expects %d arguments", name, f.nargs))
	}
	payload, err := f.fn(stub, args)
	if err != nil {
		return shim.Error(err.Error())
	}
	return shim.Success(payload)
}

// marshal writes compact JSON without Go's HTML escaping of <, > and &, so the
// bytes match what a plain JSON serializer (serde_json) produces.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func put(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	return nil, stub.PutState(a[0], []byte(a[1]))
}

func get(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	v, err := stub.GetState(a[0])
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("key not found: %s", a[0])
	}
	return v, nil
}

func del(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	return nil, stub.DelState(a[0])
}

func getPut(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	old, err := stub.GetState(a[0])
	if err != nil {
		return nil, err
	}
	if err := stub.PutState(a[0], []byte(a[1])); err != nil {
		return nil, err
	}
	return old, nil
}

func collectKV(it shim.StateQueryIteratorInterface) ([]kvRecord, error) {
	defer it.Close()
	out := []kvRecord{}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, err
		}
		out = append(out, kvRecord{Key: kv.Key, Value: string(kv.Value)})
	}
	return out, nil
}

func collectComposite(stub shim.ChaincodeStubInterface, it shim.StateQueryIteratorInterface) ([]compositeRecord, error) {
	defer it.Close()
	out := []compositeRecord{}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, err
		}
		_, attrs, err := stub.SplitCompositeKey(kv.Key)
		if err != nil {
			return nil, err
		}
		if attrs == nil {
			attrs = []string{}
		}
		out = append(out, compositeRecord{Attrs: attrs, Value: string(kv.Value)})
	}
	return out, nil
}

func parsePageSize(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("invalid pageSize: %s", s)
	}
	return int32(n), nil
}

func rangeQuery(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	it, err := stub.GetStateByRange(a[0], a[1])
	if err != nil {
		return nil, err
	}
	recs, err := collectKV(it)
	if err != nil {
		return nil, err
	}
	return marshal(recs)
}

func rangePage(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	size, err := parsePageSize(a[2])
	if err != nil {
		return nil, err
	}
	it, md, err := stub.GetStateByRangeWithPagination(a[0], a[1], size, a[3])
	if err != nil {
		return nil, err
	}
	recs, err := collectKV(it)
	if err != nil {
		return nil, err
	}
	return marshal(page[kvRecord]{Records: recs, Count: md.GetFetchedRecordsCount(), Bookmark: md.GetBookmark()})
}

func putComposite(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	objectType, value, attrs := a[0], a[1], a[2:]
	key, err := stub.CreateCompositeKey(objectType, attrs)
	if err != nil {
		return nil, err
	}
	if err := stub.PutState(key, []byte(value)); err != nil {
		return nil, err
	}
	return []byte(strings.Join(append([]string{objectType}, attrs...), "/")), nil
}

func byPartial(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	it, err := stub.GetStateByPartialCompositeKey(a[0], a[1:])
	if err != nil {
		return nil, err
	}
	recs, err := collectComposite(stub, it)
	if err != nil {
		return nil, err
	}
	return marshal(recs)
}

func byPartialPage(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	size, err := parsePageSize(a[0])
	if err != nil {
		return nil, err
	}
	it, md, err := stub.GetStateByPartialCompositeKeyWithPagination(a[2], a[3:], size, a[1])
	if err != nil {
		return nil, err
	}
	recs, err := collectComposite(stub, it)
	if err != nil {
		return nil, err
	}
	return marshal(page[compositeRecord]{Records: recs, Count: md.GetFetchedRecordsCount(), Bookmark: md.GetBookmark()})
}

func history(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	it, err := stub.GetHistoryForKey(a[0])
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := []historyRecord{}
	for it.HasNext() {
		m, err := it.Next()
		if err != nil {
			return nil, err
		}
		ts := m.GetTimestamp()
		out = append(out, historyRecord{
			TxID: m.GetTxId(), Value: string(m.GetValue()), IsDelete: m.GetIsDelete(),
			Seconds: ts.GetSeconds(), Nanos: ts.GetNanos(),
		})
	}
	return marshal(out)
}

func putPrivate(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	transient, err := stub.GetTransient()
	if err != nil {
		return nil, err
	}
	value, ok := transient["value"]
	if !ok {
		return nil, fmt.Errorf("transient field 'value' is required")
	}
	return nil, stub.PutPrivateData(a[0], a[1], value)
}

func getPrivate(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	v, err := stub.GetPrivateData(a[0], a[1])
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("private key not found: %s", a[1])
	}
	return v, nil
}

func getPrivateHash(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	h, err := stub.GetPrivateDataHash(a[0], a[1])
	if err != nil {
		return nil, err
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("private key not found: %s", a[1])
	}
	return []byte(hex.EncodeToString(h)), nil
}

func delPrivate(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	return nil, stub.DelPrivateData(a[0], a[1])
}

func purgePrivate(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	return nil, stub.PurgePrivateData(a[0], a[1])
}

func event(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	return nil, stub.SetEvent(a[0], []byte(a[1]))
}

func invoke(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	args := make([][]byte, 0, len(a)-1)
	for _, s := range a[1:] {
		args = append(args, []byte(s))
	}
	// An empty channel name means the caller's own channel.
	resp := stub.InvokeChaincode(a[0], args, "")
	if resp.GetStatus() != shim.OK {
		return nil, fmt.Errorf("invoke %s failed: %d %s", a[0], resp.GetStatus(), resp.GetMessage())
	}
	return resp.GetPayload(), nil
}

func setEndorsers(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	ep, err := statebased.NewStateEP(nil)
	if err != nil {
		return nil, err
	}
	if err := ep.AddOrgs(statebased.RoleTypePeer, a[1:]...); err != nil {
		return nil, err
	}
	policy, err := ep.Policy()
	if err != nil {
		return nil, err
	}
	return nil, stub.SetStateValidationParameter(a[0], policy)
}

func endorsers(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	policy, err := stub.GetStateValidationParameter(a[0])
	if err != nil {
		return nil, err
	}
	orgs := []string{}
	if len(policy) > 0 {
		ep, err := statebased.NewStateEP(policy)
		if err != nil {
			return nil, err
		}
		orgs = append(orgs, ep.ListOrgs()...)
		sort.Strings(orgs)
	}
	return marshal(orgs)
}

func whoAmIFn(stub shim.ChaincodeStubInterface, _ []string) ([]byte, error) {
	msp, err := cid.GetMSPID(stub)
	if err != nil {
		return nil, err
	}
	id, err := cid.GetID(stub)
	if err != nil {
		return nil, err
	}
	return marshal(whoAmI{MSPID: msp, ID: id})
}

func txInfoFn(stub shim.ChaincodeStubInterface, _ []string) ([]byte, error) {
	ts, err := stub.GetTxTimestamp()
	if err != nil {
		return nil, err
	}
	return marshal(txInfo{TxID: stub.GetTxID(), Channel: stub.GetChannelID(), Seconds: ts.GetSeconds(), Nanos: ts.GetNanos()})
}

func putMany(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	count, err := strconv.Atoi(a[0])
	if err != nil || count < 0 {
		return nil, fmt.Errorf("invalid count: %s", a[0])
	}
	// Write batching (shim >= v2.1, peer >= 3.1) sends the puts as one
	// message; on older peers the shim falls back to one message per put.
	stub.StartWriteBatch()
	for i := 0; i < count; i++ {
		if err := stub.PutState(fmt.Sprintf("%s%04d", a[1], i), []byte("v")); err != nil {
			return nil, err
		}
	}
	return nil, stub.FinishWriteBatch()
}

func getMany(stub shim.ChaincodeStubInterface, a []string) ([]byte, error) {
	values, err := stub.GetMultipleStates(a...)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(a))
	for i := range a {
		if i < len(values) {
			out[i] = string(values[i])
		}
	}
	return marshal(out)
}
