// Command conformance prints a normalized, sorted listing of the protobuf
// definitions that gridledger vendors under proto/fabric, taken from the
// upstream Go bindings (github.com/hyperledger/fabric-protos-go-apiv2). The
// Rust side (`cargo run -p gridledger-protos-codegen -- --listing`) prints the
// same listing from our own descriptor set; check-conformance.sh diffs them.
//
// Every line is self-describing and keyed by the fully qualified element name,
// so `sort` gives a stable order independent of declaration order.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	_ "github.com/hyperledger/fabric-protos-go-apiv2/common"
	_ "github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	_ "github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	_ "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	_ "github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	_ "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	_ "github.com/hyperledger/fabric-protos-go-apiv2/peer/lifecycle"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// vendored lists the files under proto/fabric; keep in sync with
// proto/codegen/src/main.rs (the Rust listing reads the same set from the
// descriptor set and check-conformance.sh compares the two outputs).
var vendored = []string{
	"common/common.proto",
	"common/configtx.proto",
	"common/configuration.proto",
	"common/policies.proto",
	"gateway/gateway.proto",
	"ledger/queryresult/kv_query_result.proto",
	"msp/identities.proto",
	"msp/msp_config.proto",
	"msp/msp_principal.proto",
	"orderer/ab.proto",
	"orderer/configuration.proto",
	"peer/chaincode.proto",
	"peer/chaincode_event.proto",
	"peer/chaincode_shim.proto",
	"peer/collection.proto",
	"peer/configuration.proto",
	"peer/lifecycle/lifecycle.proto",
	"peer/peer.proto",
	"peer/policy.proto",
	"peer/proposal.proto",
	"peer/proposal_response.proto",
	"peer/transaction.proto",
}

func main() {
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }

	for _, path := range vendored {
		fd, err := protoregistry.GlobalFiles.FindFileByPath(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "conformance: %s: %v\n", path, err)
			os.Exit(1)
		}
		fdp := protodesc.ToFileDescriptorProto(fd)
		listFile(add, fdp)
	}
	sort.Strings(lines)
	fmt.Println(strings.Join(lines, "\n"))
}

type adder func(format string, args ...any)

func listFile(add adder, f *descriptorpb.FileDescriptorProto) {
	p := f.GetName()
	add("file %s package %s", p, f.GetPackage())
	add("file %s syntax %s", p, f.GetSyntax())
	for _, d := range f.GetDependency() {
		add("file %s import %s", p, d)
	}
	if o := f.GetOptions(); o != nil {
		listFileOptions(add, p, o)
	}
	prefix := f.GetPackage()
	for _, m := range f.GetMessageType() {
		listMessage(add, prefix, m)
	}
	for _, e := range f.GetEnumType() {
		listEnum(add, prefix, e)
	}
	for _, s := range f.GetService() {
		name := prefix + "." + s.GetName()
		add("service %s", name)
		for _, m := range s.GetMethod() {
			add("rpc %s.%s in=%s out=%s client_streaming=%t server_streaming=%t",
				name, m.GetName(), m.GetInputType(), m.GetOutputType(),
				m.GetClientStreaming(), m.GetServerStreaming())
		}
	}
}

// listFileOptions prints the file options the Rust side knows about, and flags
// any other option so that a new upstream option cannot slip through silently.
func listFileOptions(add adder, p string, o *descriptorpb.FileOptions) {
	known := map[string]bool{
		"go_package": true, "java_package": true, "java_outer_classname": true,
		"java_multiple_files": true, "objc_class_prefix": true, "csharp_namespace": true,
		"php_namespace": true, "php_metadata_namespace": true, "ruby_package": true,
	}
	o.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := string(fd.Name())
		if known[name] {
			add("file %s option %s=%v", p, name, v.Interface())
		} else {
			add("file %s option UNHANDLED %s", p, name)
		}
		return true
	})
}

func listMessage(add adder, scope string, m *descriptorpb.DescriptorProto) {
	name := scope + "." + m.GetName()
	add("message %s map_entry=%t deprecated=%t", name,
		m.GetOptions().GetMapEntry(), m.GetOptions().GetDeprecated())
	for _, f := range m.GetField() {
		oneof := "-"
		if f.OneofIndex != nil {
			oneof = m.GetOneofDecl()[f.GetOneofIndex()].GetName()
		}
		typeName := f.GetTypeName()
		if typeName == "" {
			typeName = "-"
		}
		add("field %s.%s %d %s %s %s %s %s proto3_optional=%t deprecated=%t",
			name, f.GetName(), f.GetNumber(),
			strings.ToLower(strings.TrimPrefix(f.GetLabel().String(), "LABEL_")),
			strings.ToLower(strings.TrimPrefix(f.GetType().String(), "TYPE_")),
			typeName, f.GetJsonName(), oneof,
			f.GetProto3Optional(), f.GetOptions().GetDeprecated())
	}
	for _, r := range m.GetReservedRange() {
		// end is exclusive in descriptors
		add("reserved %s range %d..%d", name, r.GetStart(), r.GetEnd())
	}
	for _, r := range m.GetReservedName() {
		add("reserved %s name %s", name, r)
	}
	for _, n := range m.GetNestedType() {
		listMessage(add, name, n)
	}
	for _, e := range m.GetEnumType() {
		listEnum(add, name, e)
	}
}

func listEnum(add adder, scope string, e *descriptorpb.EnumDescriptorProto) {
	name := scope + "." + e.GetName()
	add("enum %s allow_alias=%t deprecated=%t", name,
		e.GetOptions().GetAllowAlias(), e.GetOptions().GetDeprecated())
	for _, v := range e.GetValue() {
		add("enumvalue %s.%s %d deprecated=%t", name, v.GetName(), v.GetNumber(),
			v.GetOptions().GetDeprecated())
	}
	for _, r := range e.GetReservedRange() {
		// end is inclusive for enum reserved ranges
		add("reserved %s range %d..=%d", name, r.GetStart(), r.GetEnd())
	}
	for _, r := range e.GetReservedName() {
		add("reserved %s name %s", name, r)
	}
}
