# Generalize an existing disk image into a golden image: the core file
# builder copies it, the sysprep post-processor generalizes the copy.
#
#   packer build -var input=debian.qcow2 -var root_password=... builder-examples/file
#
# `make demo` runs this on a freshly generated Debian-like guest.

packer {
  required_plugins {
    sysprep = {
      source  = "github.com/packer-sysprep/sysprep"
      version = ">= 0.1.0"
    }
  }
}

variable "input" {
  type        = string
  description = "The disk image to generalize (qcow2 or raw). It is copied first and never modified."
  default     = "demo-output/debian.qcow2"
}

variable "output_dir" {
  type    = string
  default = "demo-output"
}

variable "root_password" {
  type        = string
  description = "Root password to set (hashed as the guest's login.defs says). Empty: leave it as is."
  sensitive   = true
  default     = ""
}

source "file" "base" {
  source = var.input
  target = "${var.output_dir}/work/${basename(var.input)}"
}

build {
  sources = ["source.file.base"]

  post-processor "sysprep" {
    # The copy made by the file builder is removed once the golden image is written.
    output      = "${var.output_dir}/{{.BuildName}}-golden.qcow2"
    format      = "qcow2"
    compression = "zstd"
    report      = "${var.output_dir}/report.json"

    operations    = ["defaults"]
    hostname      = "golden"
    timezone      = "Etc/UTC"
    root_password = var.root_password

    # The Rocky Linux guide's 99-custom-defaults.cfg.
    cloud_init {
      file_name = "99-custom-defaults.cfg"
      default_user {
        name  = "admin"
        sudo  = ["ALL=(ALL) NOPASSWD:ALL"]
        shell = "/bin/bash"
      }
      ssh_pwauth = false
      packages   = ["htop", "vim-enhanced"]
    }

    customize {
      op  = "write"
      arg = "/etc/motd:Built by Packer from a generalized golden image.\n"
    }
  }
}
