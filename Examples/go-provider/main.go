// Command example-go-provider is a minimal wasmCloud capability provider, standard library only.
//
// A wasmCloud host starts a provider with one line on its standard input: the host data, a JSON
// object encoded in base64. This provider decodes it, logs its provider key and lattice to stderr,
// then keeps reading stdin and exits cleanly (status 0) when the host closes it. With no host data
// it says so and exits 0; with malformed host data it logs an error and exits 1.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

const name = "example-go-provider"

// hostData holds the fields of wasmCloud's HostData this provider uses.
type hostData struct {
	HostID      string            `json:"host_id"`
	Lattice     string            `json:"lattice_rpc_prefix"`
	ProviderKey string            `json:"provider_key"`
	LinkName    string            `json:"link_name"`
	InstanceID  string            `json:"instance_id"`
	Config      map[string]string `json:"config"`
}

func main() {
	os.Exit(run(os.Stdin, os.Stderr))
}

func run(stdin io.Reader, log io.Writer) int {
	input := bufio.NewReader(stdin)
	line, err := input.ReadString('\n')
	if err != nil && err != io.EOF {
		fmt.Fprintf(log, "%s: error: cannot read host data from stdin: %v\n", name, err)
		return 1
	}
	line = strings.TrimSpace(line)
	if line == "" {
		fmt.Fprintf(log, "%s: no host data given on stdin; exiting\n", name)
		return 0
	}
	data, err := decodeHostData(line)
	if err != nil {
		fmt.Fprintf(log, "%s: error: malformed host data: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(log, "%s: started with provider key %s on lattice %s\n", name, data.ProviderKey, data.Lattice)

	// Serve until the host closes stdin.
	if _, err := io.Copy(io.Discard, input); err != nil {
		fmt.Fprintf(log, "%s: error: reading stdin failed: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(log, "%s: stdin closed; shutting down\n", name)
	return 0
}

func decodeHostData(line string) (*hostData, error) {
	raw, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		// Accept unpadded input too.
		if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(line, "=")); err != nil {
			return nil, fmt.Errorf("host data is not valid base64: %v", err)
		}
	}
	var data hostData
	if err := json.Unmarshal(raw, &data); err != nil {
		return nil, fmt.Errorf("host data is not the expected JSON object: %v", err)
	}
	if data.ProviderKey == "" || data.Lattice == "" {
		return nil, fmt.Errorf("no provider_key or lattice_rpc_prefix in host data")
	}
	return &data, nil
}
