package main

import (
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// serverConfig reads the chaincode-as-a-service environment (the
// fabric-samples convention the Rust shim reads too).
func serverConfig() (*shim.ChaincodeServer, error) {
	ccid := os.Getenv("CHAINCODE_ID")
	if ccid == "" {
		ccid = os.Getenv("CORE_CHAINCODE_ID_NAME")
	}
	srv := &shim.ChaincodeServer{CCID: ccid, Address: os.Getenv("CHAINCODE_SERVER_ADDRESS"), CC: KV{}}
	certFile := os.Getenv("CHAINCODE_TLS_CERT")
	if strings.EqualFold(os.Getenv("CHAINCODE_TLS_DISABLED"), "true") || certFile == "" {
		srv.TLSProps.Disabled = true
		return srv, nil
	}
	var err error
	if srv.TLSProps.Cert, err = os.ReadFile(certFile); err != nil {
		return nil, fmt.Errorf("CHAINCODE_TLS_CERT: %w", err)
	}
	if srv.TLSProps.Key, err = os.ReadFile(os.Getenv("CHAINCODE_TLS_KEY")); err != nil {
		return nil, fmt.Errorf("CHAINCODE_TLS_KEY: %w", err)
	}
	// With a client CA the server requires and verifies the peer's client
	// certificate (mutual TLS).
	if ca := os.Getenv("CHAINCODE_CLIENT_CA_CERT"); ca != "" {
		if srv.TLSProps.ClientCACerts, err = os.ReadFile(ca); err != nil {
			return nil, fmt.Errorf("CHAINCODE_CLIENT_CA_CERT: %w", err)
		}
	}
	return srv, nil
}

func main() {
	if os.Getenv("CHAINCODE_SERVER_ADDRESS") == "" {
		// Classic mode: the peer launched us and we dial it (-peer.address).
		if err := shim.Start(KV{}); err != nil {
			log.Fatalf("kv: shim.Start: %v", err)
		}
		return
	}
	srv, err := serverConfig()
	if err != nil {
		log.Fatalf("kv: %v", err)
	}
	log.Printf("kv: chaincode server %s listening on %s (tls=%t, mtls=%t)",
		srv.CCID, srv.Address, !srv.TLSProps.Disabled, len(srv.TLSProps.ClientCACerts) > 0)
	if err := srv.Start(); err != nil {
		log.Fatalf("kv: chaincode server: %v", err)
	}
}
