// moov-io/iso8583 peer benchmark (issue #9): pack and unpack the UnionPay 0200 IC sale with
// field 55 of rust-core/iso8583/benches/codec.rs, with an equivalent field spec.
//
//	UNIPOS_SALE_HEX=<our packed bytes> go test -run TestSameBytes -bench . -benchmem -count 7
//
// TestSameBytes fails loudly unless moov packs exactly our bytes and unpacks them to the same
// fields; scripts/bench/peers.sh runs it before timing.
package moov

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/moov-io/iso8583"
	"github.com/moov-io/iso8583/encoding"
	"github.com/moov-io/iso8583/field"
	"github.com/moov-io/iso8583/prefix"
)

const field55 = "9F2608BBFD1BFACF6A64299F2701809F100807000103A0A002019F3704989636539F36020334950500800088009A031603099C01319F02060000000000005F2A02015682023C009F1A0201569F03060000000000009F3303E0E1C89F34031E03009F3501229F1E083132333435363738"

// leftNibbles is packed BCD, left aligned with a 0 pad nibble, accepting the track-2
// separator 'D' (the UnionPay form of fields 2, 35 and 60). moov's LBCD refuses 'D' and its
// Track2BCD is right aligned, so the spec needs this small encoder.
type leftNibbles struct{}

func nibble(c byte) (byte, error) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', nil
	case c == 'D' || c == 'd' || c == '=':
		return 0xD, nil
	}
	return 0, fmt.Errorf("not a digit: %q", c)
}

func (leftNibbles) Encode(src []byte) ([]byte, error) {
	out := make([]byte, (len(src)+1)/2)
	for i, c := range src {
		n, err := nibble(c)
		if err != nil {
			return nil, err
		}
		if i%2 == 0 {
			out[i/2] = n << 4
		} else {
			out[i/2] |= n
		}
	}
	return out, nil
}

const digitChars = "0123456789ABCDEF"

func (leftNibbles) Decode(src []byte, length int) ([]byte, int, error) {
	read := (length + 1) / 2
	if length < 0 || len(src) < read {
		return nil, 0, fmt.Errorf("not enough data: need %d bytes, have %d", read, len(src))
	}
	out := make([]byte, length)
	for i := 0; i < length; i++ {
		b := src[i/2]
		if i%2 == 0 {
			b >>= 4
		}
		out[i] = digitChars[b&0x0F]
	}
	return out, read, nil
}

var lbcdTrack encoding.Encoder = leftNibbles{}

func bcdFixed(n int, desc string) field.Field {
	return field.NewString(&field.Spec{Length: n, Description: desc, Enc: encoding.BCD, Pref: prefix.BCD.Fixed})
}

func textFixed(n int, desc string) field.Field {
	return field.NewString(&field.Spec{Length: n, Description: desc, Enc: encoding.ASCII, Pref: prefix.ASCII.Fixed})
}

// The fields of the UnionPay profile (rust-core/iso8583/src/cup/profile.rs) the sale uses.
var cupSpec = &iso8583.MessageSpec{
	Name: "unipos cup subset",
	Fields: map[int]field.Field{
		0:  field.NewString(&field.Spec{Length: 4, Description: "MTI", Enc: encoding.BCD, Pref: prefix.BCD.Fixed}),
		1:  field.NewBitmap(&field.Spec{Length: 8, Description: "Bitmap", Enc: encoding.Binary, Pref: prefix.Binary.Fixed}),
		2:  field.NewString(&field.Spec{Length: 19, Description: "PAN", Enc: lbcdTrack, Pref: prefix.BCD.LL}),
		3:  bcdFixed(6, "processing code"),
		4:  bcdFixed(12, "amount"),
		11: bcdFixed(6, "trace"),
		14: bcdFixed(4, "expiry"),
		22: field.NewString(&field.Spec{Length: 3, Description: "POS entry mode", Enc: encoding.LBCD, Pref: prefix.BCD.Fixed}),
		23: bcdFixed(3, "card sequence number"),
		25: bcdFixed(2, "POS condition code"),
		26: bcdFixed(2, "PIN capture code"),
		35: field.NewString(&field.Spec{Length: 37, Description: "track 2", Enc: lbcdTrack, Pref: prefix.BCD.LL}),
		41: textFixed(8, "terminal id"),
		42: textFixed(15, "merchant id"),
		49: textFixed(3, "currency"),
		52: field.NewBinary(&field.Spec{Length: 8, Description: "PIN block", Enc: encoding.Binary, Pref: prefix.Binary.Fixed}),
		53: bcdFixed(16, "security control"),
		55: field.NewBinary(&field.Spec{Length: 999, Description: "ICC data", Enc: encoding.Binary, Pref: prefix.BCD.LLL}),
		60: field.NewString(&field.Spec{Length: 999, Description: "reserved private 60", Enc: lbcdTrack, Pref: prefix.BCD.LLL}),
		63: field.NewString(&field.Spec{Length: 999, Description: "reserved private 63", Enc: encoding.ASCII, Pref: prefix.BCD.LLL}),
		64: field.NewBinary(&field.Spec{Length: 8, Description: "MAC", Enc: encoding.Binary, Pref: prefix.Binary.Fixed}),
	},
}

var textFields = []struct {
	n int
	v string
}{
	{2, "6212260200024125573"}, {3, "000000"}, {4, "000000073700"}, {11, "002332"},
	{14, "2302"}, {22, "051"}, {23, "001"}, {25, "00"}, {26, "12"},
	{35, "6212260200024125573D23022201234567890"}, {41, "00006590"},
	{42, "713100058120611"}, {49, "156"}, {53, "2600000000000000"},
	{60, "22000065000501"}, {63, "001"},
}

var f52 = []byte{0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0}
var f55, _ = hex.DecodeString(field55)
var f64 = []byte("00000000")

func sale() (*iso8583.Message, error) {
	m := iso8583.NewMessage(cupSpec)
	m.MTI("0200")
	for _, f := range textFields {
		if err := m.Field(f.n, f.v); err != nil {
			return nil, err
		}
	}
	for n, v := range map[int][]byte{52: f52, 55: f55, 64: f64} {
		if err := m.BinaryField(n, v); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func expected(tb testing.TB) []byte {
	h := os.Getenv("UNIPOS_SALE_HEX")
	if h == "" {
		tb.Fatal("UNIPOS_SALE_HEX is not set (scripts/bench/peers.sh sets it)")
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestSameBytes(t *testing.T) {
	ours := expected(t)
	m, err := sale()
	if err != nil {
		t.Fatal(err)
	}
	packed, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(packed, ours) {
		t.Fatalf("!!! MISMATCH: moov packs different bytes than unipos\n!!! moov:   %X\n!!! unipos: %X", packed, ours)
	}
	u := iso8583.NewMessage(cupSpec)
	if err := u.Unpack(ours); err != nil {
		t.Fatal(err)
	}
	for _, f := range textFields {
		got, err := u.GetString(f.n)
		if err != nil || !strings.EqualFold(got, f.v) {
			t.Fatalf("!!! MISMATCH on unpack, field %d: %q (%v) != %q", f.n, got, err, f.v)
		}
	}
	fmt.Printf("moov-io/iso8583: packed bytes identical to unipos (%d bytes), unpack gives the same fields\n", len(ours))
}

// Pack: build the message from its values and pack it, as a terminal does for each request
// (moov's own BenchmarkMarshaling also builds a new message each iteration).
func BenchmarkPack(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m, err := sale()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.Pack(); err != nil {
			b.Fatal(err)
		}
	}
}

// PackOnly: pack an already built message (closest to our pack_into on a built Message).
func BenchmarkPackOnly(b *testing.B) {
	m, err := sale()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Pack(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnpack(b *testing.B) {
	wire := expected(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := iso8583.NewMessage(cupSpec)
		if err := m.Unpack(wire); err != nil {
			b.Fatal(err)
		}
	}
}
