package verify_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// tamperFunc edits the result of one JSON-RPC method in place.
type tamperFunc func(method string, result map[string]any)

// startProxy runs a real HTTP server on 127.0.0.1 that forwards JSON-RPC
// calls to the node and lets tamper rewrite their results: a node that lies.
func startProxy(t *testing.T, tamper tamperFunc) string {
	t.Helper()
	ports, err := freePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	upstream := "http://" + strings.TrimPrefix(nodeAddr, "tcp://")
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		resp, err := http.Post(upstream+r.URL.Path, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		var req struct{ Method string }
		if json.Unmarshal(body, &req) == nil && tamper != nil {
			var msg map[string]any
			if json.Unmarshal(out, &msg) == nil {
				if res, ok := msg["result"].(map[string]any); ok {
					tamper(req.Method, res)
					out, _ = json.Marshal(msg)
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		w.Write(out)
	})}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", ports[0]))
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
}

// abciResponse returns the response of an abci_query result.
func abciResponse(method string, res map[string]any) map[string]any {
	if method != "abci_query" {
		return nil
	}
	r, _ := res["response"].(map[string]any)
	return r
}

// flipBase64 flips the last byte of a base64 field.
func flipBase64(m map[string]any, field string) {
	s, _ := m[field].(string)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return
	}
	b[len(b)-1] ^= 0x01
	m[field] = base64.StdEncoding.EncodeToString(b)
}
