package main

import (
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// fakeStub implements the parts of the stub the tested functions use; any
// other method panics through the nil embedded interface, which flags a test
// that reaches further than it means to.
type fakeStub struct {
	shim.ChaincodeStubInterface
	args     [][]byte
	state    map[string][]byte
	batching bool
	batches  int
}

func newStub() *fakeStub { return &fakeStub{state: map[string][]byte{}} }

func (s *fakeStub) GetArgs() [][]byte { return s.args }
func (s *fakeStub) GetState(k string) ([]byte, error) {
	return s.state[k], nil
}
func (s *fakeStub) PutState(k string, v []byte) error { s.state[k] = v; return nil }
func (s *fakeStub) DelState(k string) error           { delete(s.state, k); return nil }
func (s *fakeStub) StartWriteBatch()                  { s.batching = true }
func (s *fakeStub) FinishWriteBatch() error {
	if s.batching {
		s.batches++
	}
	s.batching = false
	return nil
}
func (s *fakeStub) GetMultipleStates(keys ...string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = s.state[k]
	}
	return out, nil
}
func (s *fakeStub) CreateCompositeKey(t string, attrs []string) (string, error) {
	return shim.CreateCompositeKey(t, attrs)
}

func call(t *testing.T, s *fakeStub, args ...string) (int32, string) {
	t.Helper()
	s.args = nil
	for _, a := range args {
		s.args = append(s.args, []byte(a))
	}
	r := KV{}.Invoke(s)
	if r.GetStatus() == shim.OK {
		return r.GetStatus(), string(r.GetPayload())
	}
	return r.GetStatus(), r.GetMessage()
}

func TestKV(t *testing.T) {
	s := newStub()
	cases := []struct {
		args   []string
		status int32
		out    string
	}{
		{[]string{"Get", "a"}, 500, "key not found: a"},
		{[]string{"Put", "a", "1"}, 200, ""},
		{[]string{"Get", "a"}, 200, "1"},
		{[]string{"GetPut", "a", "2"}, 200, "1"},
		{[]string{"GetPut", "b", "x"}, 200, ""},
		{[]string{"Get", "a"}, 200, "2"},
		{[]string{"Del", "a"}, 200, ""},
		{[]string{"Get", "a"}, 500, "key not found: a"},
		{[]string{"PutMany", "3", "p"}, 200, ""},
		{[]string{"GetMany", "p0000", "nope", "p0002", "b"}, 200, `["v","","v","x"]`},
		{[]string{"PutComposite", "meter", "<&>", "m1", "2024"}, 200, "meter/m1/2024"},
		{[]string{"Nope"}, 500, "unknown function: Nope"},
		{[]string{"Put", "a"}, 500, "Put expects 2 arguments"},
		{[]string{"WhoAmI", "x"}, 500, "WhoAmI expects 0 arguments"},
		{[]string{"Invoke", "cc"}, 500, "Invoke expects at least 2 arguments"},
		{[]string{"GetMany"}, 500, "GetMany expects at least 1 arguments"},
	}
	for _, c := range cases {
		status, out := call(t, s, c.args...)
		if status != c.status || out != c.out {
			t.Errorf("%v: got %d %q, want %d %q", c.args, status, out, c.status, c.out)
		}
	}
	if s.batches != 1 {
		t.Errorf("PutMany used %d write batches, want 1", s.batches)
	}
}

func TestMarshalKeepsHTMLCharacters(t *testing.T) {
	b, err := marshal([]kvRecord{{Key: "<k>", Value: "a&b"}})
	if err != nil || string(b) != `[{"key":"<k>","value":"a&b"}]` {
		t.Fatalf("marshal: %s %v", b, err)
	}
}
