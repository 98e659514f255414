package ext4

import "math/bits"

// Directory hash versions (ext4 docs, "Hash Tree Directories").
const (
	hashLegacy          = 0
	hashHalfMD4         = 1
	hashTea             = 2
	hashLegacyUnsigned  = 3
	hashHalfMD4Unsigned = 4
	hashTeaUnsigned     = 5
	hashSiphash         = 6
)

// dirHash computes the htree hash of name for a hash version and seed, as
// the kernel's ext4fs_dirhash does. The low bit of the major hash is clear.
func dirHash(name []byte, version uint8, seed [4]uint32) (major, minor uint32, ok bool) {
	buf := [4]uint32{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}
	if seed != [4]uint32{} {
		buf = seed
	}
	signed := version == hashLegacy || version == hashHalfMD4 || version == hashTea
	switch version {
	case hashLegacy, hashLegacyUnsigned:
		major = legacyHash(name, signed)
	case hashHalfMD4, hashHalfMD4Unsigned:
		var in [8]uint32
		for p := name; ; p = p[32:] {
			str2hashbuf(p, in[:], signed)
			halfMD4(&buf, &in)
			if len(p) <= 32 {
				break
			}
		}
		major, minor = buf[1], buf[2]
	case hashTea, hashTeaUnsigned:
		var in [8]uint32
		for p := name; ; p = p[16:] {
			str2hashbuf(p, in[:4], signed)
			tea(&buf, &in)
			if len(p) <= 16 {
				break
			}
		}
		major, minor = buf[0], buf[1]
	default:
		return 0, 0, false
	}
	major &^= 1
	if major == 0x7fffffff<<1 {
		major = (0x7fffffff - 1) << 1
	}
	return major, minor, true
}

func legacyHash(name []byte, signed bool) uint32 {
	h0, h1 := uint32(0x12a3fe2d), uint32(0x37abe8f9)
	for _, c := range name {
		v := int32(c)
		if signed {
			v = int32(int8(c))
		}
		h := h1 + (h0 ^ uint32(v*7152373))
		if h&0x80000000 != 0 {
			h -= 0x7fffffff
		}
		h1, h0 = h0, h
	}
	return h0 << 1
}

// str2hashbuf packs up to 4*len(out) bytes of msg into words, padded with
// the length, as the kernel's str2hashbuf_{signed,unsigned} do.
func str2hashbuf(msg []byte, out []uint32, signed bool) {
	num := len(out)
	pad := uint32(len(msg)) | uint32(len(msg))<<8
	pad |= pad << 16
	val := pad
	n := min(len(msg), num*4)
	k := 0
	for i := 0; i < n; i++ {
		c := uint32(msg[i])
		if signed {
			c = uint32(int32(int8(msg[i])))
		}
		val = c + val<<8
		if i%4 == 3 {
			out[k] = val
			k++
			val = pad
			num--
		}
	}
	num--
	if num >= 0 {
		out[k] = val
		k++
	}
	for num--; num >= 0; num-- {
		out[k] = pad
		k++
	}
}

func tea(buf *[4]uint32, in *[8]uint32) {
	var sum uint32
	b0, b1 := buf[0], buf[1]
	a, b, c, d := in[0], in[1], in[2], in[3]
	for n := 0; n < 16; n++ {
		sum += 0x9E3779B9
		b0 += (b1<<4 + a) ^ (b1 + sum) ^ (b1>>5 + b)
		b1 += (b0<<4 + c) ^ (b0 + sum) ^ (b0>>5 + d)
	}
	buf[0] += b0
	buf[1] += b1
}

func halfMD4(buf *[4]uint32, in *[8]uint32) {
	a, b, c, d := buf[0], buf[1], buf[2], buf[3]
	f := func(x, y, z uint32) uint32 { return z ^ (x & (y ^ z)) }
	g := func(x, y, z uint32) uint32 { return (x & y) + ((x ^ y) & z) }
	h := func(x, y, z uint32) uint32 { return x ^ y ^ z }
	const k2, k3 = 0x5A827999, 0x6ED9EBA1
	r := func(fn func(x, y, z uint32) uint32, a, b, c, d, x uint32, s int) uint32 {
		return bits.RotateLeft32(a+fn(b, c, d)+x, s)
	}
	a = r(f, a, b, c, d, in[0], 3)
	d = r(f, d, a, b, c, in[1], 7)
	c = r(f, c, d, a, b, in[2], 11)
	b = r(f, b, c, d, a, in[3], 19)
	a = r(f, a, b, c, d, in[4], 3)
	d = r(f, d, a, b, c, in[5], 7)
	c = r(f, c, d, a, b, in[6], 11)
	b = r(f, b, c, d, a, in[7], 19)

	a = r(g, a, b, c, d, in[1]+k2, 3)
	d = r(g, d, a, b, c, in[3]+k2, 5)
	c = r(g, c, d, a, b, in[5]+k2, 9)
	b = r(g, b, c, d, a, in[7]+k2, 13)
	a = r(g, a, b, c, d, in[0]+k2, 3)
	d = r(g, d, a, b, c, in[2]+k2, 5)
	c = r(g, c, d, a, b, in[4]+k2, 9)
	b = r(g, b, c, d, a, in[6]+k2, 13)

	a = r(h, a, b, c, d, in[3]+k3, 3)
	d = r(h, d, a, b, c, in[7]+k3, 9)
	c = r(h, c, d, a, b, in[2]+k3, 11)
	b = r(h, b, c, d, a, in[6]+k3, 15)
	a = r(h, a, b, c, d, in[1]+k3, 3)
	d = r(h, d, a, b, c, in[5]+k3, 9)
	c = r(h, c, d, a, b, in[0]+k3, 11)
	b = r(h, b, c, d, a, in[4]+k3, 15)

	buf[0] += a
	buf[1] += b
	buf[2] += c
	buf[3] += d
}
