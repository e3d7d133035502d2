package sopsfile

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

var errNoMetadata = errors.New("no sops metadata: the file is not encrypted by sops")

// extractMetadata removes the `sops` entry from every document and reads it from the first,
// as sops' stores do.
func extractMetadata(branches []branch) (*metadata, error) {
	var raw branch
	found := false
	for bi := range branches {
		kept := branches[bi][:0]
		for _, it := range branches[bi] {
			if it.key != "sops" {
				kept = append(kept, it)
				continue
			}
			if bi == 0 {
				if found {
					return nil, fmt.Errorf("duplicate sops entry")
				}
				b, ok := it.value.(branch)
				if !ok {
					return nil, fmt.Errorf("the sops entry is not a mapping")
				}
				raw, found = b, true
			}
		}
		branches[bi] = kept
	}
	if !found {
		return nil, errNoMetadata
	}
	md := &metadata{}
	for _, it := range raw {
		var err error
		switch it.key {
		case "age":
			md.ageKeys, err = ageKeys(it.value)
		case "key_groups":
			groups, ok := it.value.([]any)
			if !ok {
				return nil, fmt.Errorf("sops.key_groups is not a list")
			}
			md.keyGroups = len(groups)
			for _, g := range groups {
				gb, ok := g.(branch)
				if !ok {
					return nil, fmt.Errorf("a sops key group is not a mapping")
				}
				for _, git := range gb {
					if git.key == "age" {
						keys, err := ageKeys(git.value)
						if err != nil {
							return nil, err
						}
						md.ageKeys = append(md.ageKeys, keys...)
					}
				}
			}
		case "shamir_threshold":
			n, ok := it.value.(int)
			if !ok {
				return nil, fmt.Errorf("sops.shamir_threshold is not a number")
			}
			md.shamirThreshold = n
		case "mac_only_encrypted":
			b, ok := it.value.(bool)
			if !ok {
				return nil, fmt.Errorf("sops.mac_only_encrypted is not a boolean")
			}
			md.macOnlyEncrypted = b
		default:
			if err := md.setString(it.key, it.value); err != nil {
				return nil, err
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return md, nil
}

func (md *metadata) setString(key string, v any) error {
	var dst *string
	switch key {
	case "lastmodified":
		dst = &md.lastModified
	case "mac":
		dst = &md.mac
	case "unencrypted_suffix":
		dst = &md.unencryptedSuffix
	case "encrypted_suffix":
		dst = &md.encryptedSuffix
	case "unencrypted_regex":
		dst = &md.unencryptedRegex
	case "encrypted_regex":
		dst = &md.encryptedRegex
	case "unencrypted_comment_regex", "encrypted_comment_regex":
		md.commentRegex = v != nil && v != ""
		return nil
	default:
		return nil // other key sources (pgp, kms, ...) and version: not needed
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("sops.%s is not a string", key)
	}
	*dst = s
	return nil
}

func ageKeys(v any) ([]ageKey, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("sops.age is not a list")
	}
	var out []ageKey
	for _, e := range list {
		b, ok := e.(branch)
		if !ok {
			return nil, fmt.Errorf("a sops.age entry is not a mapping")
		}
		var k ageKey
		for _, it := range b {
			s, _ := it.value.(string)
			switch it.key {
			case "recipient":
				k.recipient = s
			case "enc":
				k.enc = s
			}
		}
		out = append(out, k)
	}
	return out, nil
}

var (
	flatAge      = regexp.MustCompile(`^age__list_(\d+)__map_(recipient|enc)$`)
	flatGroupAge = regexp.MustCompile(`^key_groups__list_(\d+)__map_age__list_(\d+)__map_(recipient|enc)$`)
	flatGroup    = regexp.MustCompile(`^key_groups__list_(\d+)__map_`)
)

// flatMetadata reads the dotenv store's flattened metadata (sops_age__list_0__map_enc=...).
func flatMetadata(flat map[string]string) (*metadata, error) {
	md := &metadata{}
	keys := map[slot]*ageKey{}
	groups := map[int]bool{}
	for k, v := range flat {
		switch {
		case flatAge.MatchString(k):
			m := flatAge.FindStringSubmatch(k)
			i, _ := strconv.Atoi(m[1])
			setAge(keys, slot{-1, i}, m[2], v)
		case flatGroupAge.MatchString(k):
			m := flatGroupAge.FindStringSubmatch(k)
			g, _ := strconv.Atoi(m[1])
			i, _ := strconv.Atoi(m[2])
			groups[g] = true
			setAge(keys, slot{g, i}, m[3], v)
		case flatGroup.MatchString(k):
			g, _ := strconv.Atoi(flatGroup.FindStringSubmatch(k)[1])
			groups[g] = true
		case k == "shamir_threshold":
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("sops_shamir_threshold is not a number")
			}
			md.shamirThreshold = n
		case k == "mac_only_encrypted":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("sops_mac_only_encrypted is not a boolean")
			}
			md.macOnlyEncrypted = b
		default:
			if err := md.setString(k, v); err != nil {
				return nil, err
			}
		}
	}
	slots := make([]slot, 0, len(keys))
	for s := range keys {
		slots = append(slots, s)
	}
	sort.Slice(slots, func(a, b int) bool {
		if slots[a].group != slots[b].group {
			return slots[a].group < slots[b].group
		}
		return slots[a].index < slots[b].index
	})
	for _, s := range slots {
		md.ageKeys = append(md.ageKeys, *keys[s])
	}
	md.keyGroups = len(groups)
	return md, nil
}

// slot orders flattened age entries: top-level ones (group -1) first, then by key group.
type slot struct{ group, index int }

func setAge(keys map[slot]*ageKey, s slot, field, v string) {
	k := keys[s]
	if k == nil {
		k = &ageKey{}
		keys[s] = k
	}
	if field == "enc" {
		k.enc = v
	} else {
		k.recipient = v
	}
}
