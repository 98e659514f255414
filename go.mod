module github.com/packer-sysprep/packer-plugin-sysprep

go 1.26.8

require (
	github.com/klauspost/compress v1.18.0 // indirect
	github.com/lima-vm/go-qcow2reader v0.7.1 // indirect
)
