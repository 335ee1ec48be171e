//go:build ignore

// This program writes common_passwords.txt: the passwords people pick most
// often when a policy demands an upper-case letter, a digit and a special
// character. It is composed from well-known patterns rather than copied from
// a leaked list: common words, names, places and brands (in English, pinyin
// and Arabic transliteration) followed by the digit and symbol tails people
// add to satisfy a policy; names with birth years; keyboard walks; and the
// "p@ssw0rd" substitutions. Only entries that the policy would otherwise
// accept are kept (the others are refused already), lower-cased, sorted.
//
//	go generate ./internal/account
package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"
)

var words = strings.Fields(`
password passwd passcode secret letmein welcome hello hi login logon admin administrator root user guest test
tester demo default changeme master access security system server office manager support service
qwerty qwertyui qwertyuiop asdf asdfgh asdfghjk asdfghjkl zxcv zxcvbn zxcvbnm qwer qwert qaz wsx abc abcd abcde
iloveyou iloveu loveyou love lovely lover trustno whatever freedom forever family friends friend angel baby honey
sunshine princess princesa prince queen king dragon monkey shadow superman batman spiderman starwars pokemon
football baseball soccer basketball hockey tennis golf cricket chelsea arsenal liverpool manchester barcelona madrid
juventus milan flower killer ninja matrix mustang ferrari porsche harley yamaha cookie chocolate banana orange
purple yellow silver golden diamond lucky happy smile music guitar jesus christ heaven blessed faith hope
computer internet google facebook apple samsung huawei xiaomi microsoft windows android iphone
summer winter spring autumn january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
michael jennifer jessica ashley daniel matthew andrew joshua david james robert john thomas charlie jordan hunter
ranger buster tigger ginger pepper maggie sophie olivia emma william alexander anthony nicole michelle amanda
elizabeth christopher joseph samuel benjamin george peter kevin jason brandon justin tyler
mohammed muhammad mohamed ahmed ahmad omar fatima aisha hassan hussein khalid abdullah mustafa youssef yousef
mariam maryam layla noor sara sarah ali
wang zhang liu chen yang huang zhao zhou xiao woaini aini wohenaini zhongguo china beijing shanghai shenzhen
guangzhou hongkong taiwan singapore tokyo london paris berlin dubai riyadh cairo jeddah doha kuwait india pakistan
america usa canada australia
bitcoin crypto ethereum tether usdt wallet binance money payment comecomepay comecome pay cash bank banking card
visa mastercard dollar million rich
`)

// names get birth years as well as the ordinary tails.
var names = strings.Fields(`
michael jennifer jessica ashley daniel matthew andrew joshua david james robert john thomas charlie jordan
sophie olivia emma william alexander anthony nicole michelle amanda peter kevin jason
mohammed muhammad ahmed omar fatima aisha hassan khalid abdullah mustafa youssef mariam sara sarah
wang zhang chen yang xiao
`)

// tails are what people append to pass a "digit and special" rule.
var tails = strings.Fields(`
1! 12! 123! 1234! 12345! 01! 007! 2024! 2025! 2026! 1@ 123@ 1# 123# 1. 1* 123!@#
!1 !123 @1 @123 @1234 @2024 @2025 @2026 #123
`)

// walks are keyboard and sequence patterns that already mix digits and symbols.
var walks = strings.Fields(`
1qaz!qaz 1qaz@wsx !qaz2wsx !qaz@wsx 1qaz2wsx! 1qaz2wsx@ 1qaz2wsx# zaq1@wsx zaq12wsx! !qazxsw2 1qazxsw@ 1qaz@wsx#edc
!qaz@wsx#edc 1qaz2wsx#edc 1qaz2wsx3edc! 1q2w3e4r! 1q2w3e4r@ 1q2w3e4r5t! !q1w2e3r4 q1w2e3r4! q1w2e3r4t5! 1q2w3e! 1q2w3e4r!@
qwe123!@# qwe!@#123 !@#qwe123 !@#$qwer1234 qwer!@#$ qwer1234! qwer1234!@ 1234qwer! 1234qwer!@ qwerty1! qwerty12!
qwerty123! qwerty123!@# qwerty@123 asdf1234! asdf!@#$ asd123!@# zxc123!@# abc123!@# abc@1234 abc@12345 abcd@1234
abcd1234! a1b2c3d4! a1b2c3d4e5! aa123456! aa123456@ aa@123456 aa112233! qq123456! a123456! a12345678! a1234567!
123qwe!@# 123qwe!@ 123abc!@# 123456aa! 1234abcd! !@#123abc !@#$%^&*a1 !@#$1234a 1a2b3c4d! p@ssw0rd!@#
`)

// leet turns a word into the "p@ssw0rd" forms people believe are strong.
func leet(w string) []string {
	full := strings.NewReplacer("a", "@", "o", "0", "i", "1", "e", "3", "s", "$").Replace(w)
	soft := strings.NewReplacer("a", "@", "o", "0").Replace(w)
	digitsOnly := strings.NewReplacer("o", "0", "i", "1", "e", "3").Replace(w)
	return []string{full, soft, digitsOnly}
}

// leetWords are the words whose substituted forms are worth listing.
var leetWords = strings.Fields(`
password passwd welcome letmein admin administrator master secret iloveyou sunshine princess football monkey dragon
shadow superman batman qwerty login access security computer internet samsung google facebook microsoft summer
winter spring autumn michael jessica ashley jordan ahmed mohammed fatima woaini bitcoin crypto wallet money
comecomepay changeme default hello
`)

// wouldPass is the policy of PasswordStrong with the first letter capitalised,
// as people do: 8–128 characters, a letter, a digit and a special character.
func wouldPass(p string) bool {
	if len(p) < 8 || len(p) > 128 {
		return false
	}
	var letter, digit, special bool
	for _, r := range p {
		switch {
		case r >= 'a' && r <= 'z':
			letter = true
		case r >= '0' && r <= '9':
			digit = true
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			special = true
		}
	}
	return letter && digit && special
}

func main() {
	set := map[string]bool{}
	add := func(p string) {
		if p = strings.ToLower(p); wouldPass(p) {
			set[p] = true
		}
	}
	for _, w := range words {
		for _, t := range tails {
			add(w + t)
		}
	}
	for _, n := range names {
		for y := 1975; y <= 2008; y++ {
			add(fmt.Sprintf("%s%d!", n, y))
		}
	}
	for _, w := range walks {
		add(w)
	}
	for _, w := range leetWords {
		for _, l := range leet(w) {
			for _, t := range []string{"", "1", "12", "123", "!", "1!", "123!", "@123", "#1", "2024", "2025", "2026"} {
				add(l + t)
			}
		}
	}
	list := make([]string, 0, len(set))
	for p := range set {
		list = append(list, p)
	}
	slices.Sort(list)
	if err := os.WriteFile("common_passwords.txt", []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d passwords\n", len(list))
}
