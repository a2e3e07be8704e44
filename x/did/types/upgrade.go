package types

// Coordinated upgrades' state keys (docs/state.md):
//
//	n/u        UpgradePlan: the standing plan (absent: none)
//	n/a        UpgradeHistory: the upgrades applied, oldest first

// UpgradePlanKey is the key of the standing upgrade plan.
func UpgradePlanKey() []byte { return []byte("n/u") }

// UpgradeHistoryKey is the key of the list of applied upgrades.
func UpgradeHistoryKey() []byte { return []byte("n/a") }

// MaxUpgradeNameLen is the longest upgrade name.
const MaxUpgradeNameLen = 64

// ValidUpgradeName reports whether name can name an upgrade: 1 to 64 of
// a-z 0-9 . _ - (lower case, so that two names never differ by case
// alone), starting with a letter or digit.
func ValidUpgradeName(name string) bool {
	if name == "" || len(name) > MaxUpgradeNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}
