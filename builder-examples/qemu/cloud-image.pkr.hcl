# Build from a Debian cloud image with the qemu builder, then generalize the
# result. The builder boots the image with a NoCloud seed (cd_label cidata),
# provisions it over SSH, and shuts it down; sysprep then writes the golden
# image outside the builder's output directory (which Packer removes).
#
#   packer init builder-examples/qemu
#   packer build builder-examples/qemu
#
# Needs qemu-system-x86_64 (KVM recommended; set accelerator = "tcg" without
# it) and network access to download the cloud image.

packer {
  required_plugins {
    qemu = {
      source  = "github.com/hashicorp/qemu"
      version = ">= 1.1.0"
    }
    sysprep = {
      source  = "github.com/packer-sysprep/sysprep"
      version = ">= 0.1.0"
    }
  }
}

variable "image_url" {
  type    = string
  default = "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2"
}

variable "image_checksum" {
  type    = string
  default = "file:https://cloud.debian.org/images/cloud/bookworm/latest/SHA512SUMS"
}

variable "accelerator" {
  type    = string
  default = "kvm"
}

variable "ssh_password" {
  type      = string
  sensitive = true
  default   = "packer-build-only"
}

source "qemu" "debian" {
  iso_url          = var.image_url
  iso_checksum     = var.image_checksum
  disk_image       = true
  disk_size        = "8G"
  format           = "qcow2"
  accelerator      = var.accelerator
  headless         = true
  memory           = 1024
  net_device       = "virtio-net"
  disk_interface   = "virtio"
  output_directory = "output-qemu"
  vm_name          = "debian-12.qcow2"

  cd_label = "cidata"
  cd_content = {
    "meta-data" = "instance-id: packer-build\nlocal-hostname: packer-build\n"
    "user-data" = <<-EOT
      #cloud-config
      ssh_pwauth: true
      users:
        - name: packer
          sudo: ALL=(ALL) NOPASSWD:ALL
          shell: /bin/bash
          lock_passwd: false
          plain_text_passwd: ${var.ssh_password}
    EOT
  }

  communicator     = "ssh"
  ssh_username     = "packer"
  ssh_password     = var.ssh_password
  ssh_timeout      = "15m"
  shutdown_command = "sudo shutdown -P now"
}

build {
  sources = ["source.qemu.debian"]

  provisioner "shell" {
    inline = [
      "sudo apt-get update",
      "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y htop",
      # The build user exists only for the build: cloud-init makes admin at first boot.
      "sudo cloud-init clean --logs",
    ]
  }

  post-processor "sysprep" {
    output      = "golden/{{.BuildName}}-golden.qcow2"
    compression = "zstd"
    report      = "golden/{{.BuildName}}-report.json"

    operations           = ["defaults", "user-account"]
    remove_user_accounts = ["packer"]
    hostname             = "localhost"
    root_password_locked = true

    cloud_init {
      file_name = "99-custom-defaults.cfg"
      default_user {
        name  = "admin"
        sudo  = ["ALL=(ALL) NOPASSWD:ALL"]
        shell = "/bin/bash"
      }
      ssh_pwauth = false
    }
  }
}
