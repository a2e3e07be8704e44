package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/custos-ledger/custos"

// pkg is what `go list -json` says of a package.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// listPackages returns every package of the module with its imports and
// its transitive dependencies.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages of %s", len(pkgs), module)
	}
	return pkgs
}

// rule forbids the packages under from linking any package with one of the
// forbidden prefixes.
type rule struct {
	why       string
	under     []string // package path prefixes, relative to the module
	forbidden []string // import path prefixes
}

var rules = []rule{
	{
		why:       "the DID rules are pure: no node, no RPC, no database",
		under:     []string{"x/did/"},
		forbidden: []string{"github.com/cometbft/cometbft", "github.com/dgraph-io/badger", module + "/store", module + "/app"},
	},
	{
		why:       "the client-side verifier and the proof checks trust no node's store",
		under:     []string{"verify", "proof"},
		forbidden: []string{"github.com/dgraph-io/badger", module + "/store", module + "/app"},
	},
	{
		why:       "the DID rules keep no memory: caches and prewarming live in app/accel, the store's caches in store",
		under:     []string{"x/did/"},
		forbidden: []string{module + "/internal/bounded", module + "/app/accel"},
	},
}

func within(path string, prefixes []string) bool {
	rel, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return false
	}
	for _, p := range prefixes {
		if strings.HasSuffix(p, "/") && strings.HasPrefix(rel, p) || rel == p {
			return true
		}
	}
	return false
}

func forbiddenDep(dep string, forbidden []string) bool {
	for _, f := range forbidden {
		if dep == f || strings.HasPrefix(dep, f+"/") {
			return true
		}
	}
	return false
}

// TestLayering fails when a package links what its layer must not.
func TestLayering(t *testing.T) {
	pkgs := listPackages(t)
	for _, r := range rules {
		matched := 0
		for _, p := range pkgs {
			if !within(p.ImportPath, r.under) {
				continue
			}
			matched++
			for _, d := range p.Deps {
				if forbiddenDep(d, r.forbidden) {
					t.Errorf("%s links %s: %s", p.ImportPath, d, r.why)
				}
			}
		}
		if matched == 0 {
			t.Errorf("no package matches %v: the rule %q checks nothing", r.under, r.why)
		}
	}
}

// TestNoLibraryImportsCmd fails when a package outside cmd/ imports one
// under cmd/: commands are the outermost layer.
func TestNoLibraryImportsCmd(t *testing.T) {
	for _, p := range listPackages(t) {
		if strings.HasPrefix(p.ImportPath, module+"/cmd/") {
			continue
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, module+"/cmd/") {
				t.Errorf("%s imports %s: libraries must not import commands", p.ImportPath, imp)
			}
		}
	}
}

// importers names, for a package, the only packages that may import it
// (test files aside: go list reports a package's non-test imports).
var importers = []struct {
	pkg, why string
	allowed  []string
}{
	{"internal/bench", "the bench harness is a command's, not a library's", []string{"cmd/custos-bench"}},
	{"internal/didtest", "deterministic test keys belong in tests and the bench", []string{"internal/bench"}},
}

// TestImportedOnlyBy fails when a package is imported by one that is not
// among its allowed importers.
func TestImportedOnlyBy(t *testing.T) {
	pkgs := listPackages(t)
	for _, r := range importers {
		target := module + "/" + r.pkg
		found := false
		for _, p := range pkgs {
			found = found || p.ImportPath == target
			rel := strings.TrimPrefix(p.ImportPath, module+"/")
			if slices.Contains(p.Imports, target) && !slices.Contains(r.allowed, rel) {
				t.Errorf("%s imports %s: %s", p.ImportPath, target, r.why)
			}
		}
		if !found {
			t.Errorf("no package %s: the rule %q checks nothing", target, r.why)
		}
	}
}

// TestRulesCatchViolations checks the matcher on known cases, so that a
// rule cannot silently match nothing.
func TestRulesCatchViolations(t *testing.T) {
	for _, tc := range []struct {
		path, dep string
		r         int
		want      bool
	}{
		{module + "/x/did/keeper", "github.com/dgraph-io/badger/v4", 0, true},
		{module + "/x/did/types", "github.com/cometbft/cometbft/abci/types", 0, true},
		{module + "/x/did/types", "github.com/cosmos/gogoproto/proto", 0, false},
		{module + "/verify", module + "/store", 1, true},
		{module + "/verify", module + "/storefront", 1, false},
		{module + "/proof/prover", module + "/store", 1, false}, // the prover is not the verifier
		{module + "/proof", module + "/store", 1, true},
		{module + "/x/did/keeper", module + "/internal/bounded", 2, true},
		{module + "/app", module + "/internal/bounded", 2, false},
	} {
		r := rules[tc.r]
		got := within(tc.path, r.under) && forbiddenDep(tc.dep, r.forbidden)
		if got != tc.want {
			t.Errorf("%s -> %s under rule %q: got %v, want %v", tc.path, tc.dep, r.why, got, tc.want)
		}
	}
}
