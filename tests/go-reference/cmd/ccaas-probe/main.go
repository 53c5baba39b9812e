// Command ccaas-probe plays the peer's side of a chaincode-as-a-service
// connection without Fabric: it dials the chaincode server the way a peer does
// (TLS, optionally with a client certificate), opens protos.Chaincode/Connect
// and checks that the chaincode speaks first with REGISTER carrying the
// expected package id. It verifies a CCaaS chaincode's TLS/mTLS wiring and
// environment handling (Go reference or Rust) on machines without a network.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
)

func main() {
	addr := flag.String("address", "127.0.0.1:9999", "chaincode server address")
	id := flag.String("id", "", "expected package id (CHAINCODE_ID)")
	rootCA := flag.String("root-cert", "", "PEM file of the CA of the server certificate (empty: plaintext)")
	cert := flag.String("client-cert", "", "PEM client certificate for mutual TLS")
	key := flag.String("client-key", "", "PEM client key for mutual TLS")
	timeout := flag.Duration("timeout", 5*time.Second, "overall timeout")
	flag.Parse()
	if err := probe(*addr, *id, *rootCA, *cert, *key, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "ccaas-probe: FAIL:", err)
		os.Exit(1)
	}
}

func probe(addr, id, rootCA, certFile, keyFile string, timeout time.Duration) error {
	creds := insecure.NewCredentials()
	if rootCA != "" {
		pem, err := os.ReadFile(rootCA)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("no certificate in %s", rootCA)
		}
		cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		if certFile != "" {
			pair, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				return err
			}
			cfg.Certificates = []tls.Certificate{pair}
		}
		creds = credentials.NewTLS(cfg)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stream, err := peer.NewChaincodeClient(conn).Connect(ctx)
	if err != nil {
		return err
	}
	msg, err := stream.Recv()
	if err != nil {
		return err
	}
	if msg.GetType() != peer.ChaincodeMessage_REGISTER {
		return fmt.Errorf("first message is %s, want REGISTER", msg.GetType())
	}
	ccid := &peer.ChaincodeID{}
	if err := proto.Unmarshal(msg.GetPayload(), ccid); err != nil {
		return fmt.Errorf("REGISTER payload: %w", err)
	}
	if id != "" && ccid.GetName() != id {
		return fmt.Errorf("REGISTER carries %q, want %q", ccid.GetName(), id)
	}
	fmt.Printf("ccaas-probe: OK REGISTER %s\n", ccid.GetName())
	return nil
}
