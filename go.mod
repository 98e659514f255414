module github.com/packer-sysprep/packer-plugin-sysprep

go 1.26.8
