// Command metadata-validator checks a contract metadata document (on stdin) with fabric-contract-api-go's own
// metadata package, the code a Go contract chaincode runs on its metadata at start-up.
//
// It checks the document twice: as emitted, against the JSON schema the library embeds; and as Go reads it,
// unmarshalled into metadata.ContractChaincodeMetadata, its parameter and return schemas compiled (which resolves
// every $ref into components), then validated with metadata.ValidateAgainstSchema.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
	"github.com/xeipuuv/gojsonschema"
)

func main() {
	if err := run(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "metadata-validator:", err)
		os.Exit(1)
	}
	fmt.Println("metadata-validator: valid")
}

func run(in io.Reader) error {
	document, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}

	result, err := gojsonschema.Validate(
		gojsonschema.NewBytesLoader(metadata.GetJSONSchema()),
		gojsonschema.NewBytesLoader(document),
	)
	if err != nil {
		return fmt.Errorf("validating the document as emitted: %w", err)
	}
	if !result.Valid() {
		msg := "the document as emitted does not match the schema:"
		for _, e := range result.Errors() {
			msg += "\n  - " + e.String()
		}
		return fmt.Errorf("%s", msg)
	}

	var parsed metadata.ContractChaincodeMetadata
	if err := json.Unmarshal(document, &parsed); err != nil {
		return fmt.Errorf("unmarshalling into ContractChaincodeMetadata: %w", err)
	}
	if len(parsed.Contracts) == 0 {
		return fmt.Errorf("the document has no contracts")
	}
	if err := parsed.CompileSchemas(); err != nil {
		return fmt.Errorf("compiling parameter and return schemas: %w", err)
	}
	if err := metadata.ValidateAgainstSchema(parsed); err != nil {
		return err
	}
	return nil
}
