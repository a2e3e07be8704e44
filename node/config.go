package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/pelletier/go-toml/v2"
)

// Overrides are node settings given on the command line. They win over
// config.toml; a zero field keeps the file's value.
type Overrides struct {
	// RPCListenAddr replaces rpc.laddr, e.g. "tcp://127.0.0.1:26657".
	RPCListenAddr string
	// P2PListenAddr replaces p2p.laddr, e.g. "tcp://127.0.0.1:26656".
	P2PListenAddr string
	// PersistentPeers replaces p2p.persistent_peers (comma-separated ID@host:port).
	PersistentPeers string
	// TimeoutCommit replaces consensus.timeout_commit.
	TimeoutCommit time.Duration
	// LogLevel replaces log_level, e.g. "info" or "consensus:debug,*:error".
	LogLevel string
}

func (o Overrides) apply(cfg *cmtcfg.Config) {
	if o.RPCListenAddr != "" {
		cfg.RPC.ListenAddress = o.RPCListenAddr
	}
	if o.P2PListenAddr != "" {
		cfg.P2P.ListenAddress = o.P2PListenAddr
	}
	if o.PersistentPeers != "" {
		cfg.P2P.PersistentPeers = o.PersistentPeers
	}
	if o.TimeoutCommit != 0 {
		cfg.Consensus.TimeoutCommit = o.TimeoutCommit
	}
	if o.LogLevel != "" {
		cfg.LogLevel = o.LogLevel
	}
}

// ConfigFile returns the path of the CometBFT config file of a home.
func ConfigFile(home string) string {
	return filepath.Join(home, "config", "config.toml")
}

// LoadConfig reads home/config/config.toml over CometBFT's defaults, applies
// the overrides, roots relative paths at home and validates the result.
// Unknown settings in the file are an error, so a typo cannot pass unnoticed.
func LoadConfig(home string, ov Overrides) (*cmtcfg.Config, error) {
	path := ConfigFile(home)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no config file at %s: run `custos init --home %s` first", path, home)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the config file: %w", err)
	}
	cfg := cmtcfg.DefaultConfig()
	if err := decodeConfig(data, cfg); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	ov.apply(cfg)
	cfg.SetRoot(home)
	if err := cfg.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("invalid node config (%s and command-line flags): %w", path, err)
	}
	return cfg, nil
}

// decodeConfig sets the fields of cfg named by the TOML document, matching
// keys to the fields' mapstructure tags as CometBFT's own loader (viper) does,
// including its weak typing: a duration is a string such as "1s", a number
// may be quoted and a list of strings may be one comma-separated string.
// Every setting the document names must be a field of cfg: an unknown key
// or a typo is an error naming it (all of them, in key order).
func decodeConfig(data []byte, cfg *cmtcfg.Config) error {
	settings, err := parseTOML(data)
	if err != nil {
		return err
	}
	fields := map[string]reflect.Value{}
	configFields(reflect.ValueOf(cfg).Elem(), "", fields)
	var custos CustosConfig
	configFields(reflect.ValueOf(&custos).Elem(), "custos", fields)
	tables := map[string]bool{}
	for name := range fields {
		if table, _, ok := strings.Cut(name, "."); ok {
			tables[table] = true
		}
	}
	var errs []error
	for _, s := range settings {
		if m, ok := s.Value.(map[string]any); ok && len(m) == 0 && s.Plain && tables[s.Name] {
			continue // an empty [table] of the config
		}
		at := ""
		if s.Line > 0 {
			at = fmt.Sprintf("line %d: ", s.Line)
		}
		f, ok := fields[s.Name]
		if !ok || !s.Plain {
			errs = append(errs, fmt.Errorf("%sunknown setting %q", at, s.Name))
			continue
		}
		if err := setField(f, s.Value); err != nil {
			errs = append(errs, fmt.Errorf("%s%s: %w", at, s.Name, err))
		}
	}
	if err := custos.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		custos.apply(cfg)
	}
	return errors.Join(errs...)
}

// configFields indexes the settable fields of a CometBFT config struct by
// "table.key". The root folder ("home") is not a file setting.
func configFields(v reflect.Value, table string, out map[string]reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		sf, fv := t.Field(i), v.Field(i)
		tag := sf.Tag.Get("mapstructure")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case tag == ",squash":
			configFields(fv, table, out)
		case name == "" || name == "home" || !sf.IsExported():
		case fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.Struct:
			if table == "" && !fv.IsNil() {
				configFields(fv.Elem(), name, out)
			}
		case fv.Kind() == reflect.Struct:
		case table == "":
			out[name] = fv
		default:
			out[table+"."+name] = fv
		}
	}
}

var durationType = reflect.TypeFor[time.Duration]()

func setField(f reflect.Value, v any) error {
	str, isStr := v.(string)
	switch {
	case f.Type() == durationType:
		if n, ok := v.(int64); ok {
			f.SetInt(n)
			return nil
		}
		d, err := time.ParseDuration(str)
		if !isStr || err != nil {
			return fmt.Errorf("want a duration such as \"1s\" or \"500ms\", got %s", describe(v))
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		if !isStr {
			return fmt.Errorf("want a string, got %s", describe(v))
		}
		f.SetString(str)
	case f.Kind() == reflect.Bool:
		b, ok := v.(bool)
		if isStr {
			var err error
			b, err = strconv.ParseBool(str)
			ok = err == nil
		}
		if !ok {
			return fmt.Errorf("want true or false, got %s", describe(v))
		}
		f.SetBool(b)
	case f.CanInt() || f.CanUint():
		n, ok := v.(int64)
		if isStr {
			var err error
			n, err = strconv.ParseInt(strings.TrimSpace(str), 10, 64)
			ok = err == nil
		}
		if !ok || (f.CanInt() && f.OverflowInt(n)) || (f.CanUint() && (n < 0 || f.OverflowUint(uint64(n)))) {
			return fmt.Errorf("want an integer that fits %s, got %s", f.Type(), describe(v))
		}
		if f.CanInt() {
			f.SetInt(n)
		} else {
			f.SetUint(uint64(n))
		}
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
		list, err := stringList(v)
		if err != nil {
			return err
		}
		f.Set(reflect.ValueOf(list).Convert(f.Type()))
	default:
		return fmt.Errorf("settings of type %s are not supported in the config file", f.Type())
	}
	return nil
}

// stringList accepts an array of strings or one comma-separated string
// (CometBFT writes statesync.rpc_servers so; "" is the nil list).
func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		var list []string
		for s := range strings.SplitSeq(x, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		return list, nil
	case []any:
		list := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want a list of strings, found %s in it", describe(e))
			}
			list = append(list, s)
		}
		return list, nil
	}
	return nil, fmt.Errorf("want a list of strings, got %s", describe(v))
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case int64:
		return fmt.Sprintf("the integer %d", x)
	case bool:
		return fmt.Sprintf("the boolean %t", x)
	case float64:
		return fmt.Sprintf("the float %v", x)
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case toml.LocalDate, toml.LocalTime, toml.LocalDateTime, time.Time:
		return fmt.Sprintf("the date or time %v", x)
	}
	return fmt.Sprintf("%T", v)
}
