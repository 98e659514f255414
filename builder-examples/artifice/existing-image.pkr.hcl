# Generalize an image that already exists, without copying it first: the
# null builder does nothing, artifice hands the file to sysprep. The input
# is kept (keep_input_artifact), and the output is a new raw image.
#
#   packer build -var input=debian.img builder-examples/artifice

packer {
  required_plugins {
    sysprep = {
      source  = "github.com/packer-sysprep/sysprep"
      version = ">= 0.1.0"
    }
  }
}

variable "input" {
  type    = string
  default = "demo-output/debian.qcow2"
}

variable "output" {
  type    = string
  default = "demo-output/golden.raw"
}

source "null" "existing" {
  communicator = "none"
}

build {
  sources = ["source.null.existing"]

  post-processors {
    post-processor "artifice" {
      files = [var.input]
    }
    post-processor "sysprep" {
      output              = var.output
      format              = "raw"
      keep_input_artifact = true
      operations          = ["defaults", "-ssh-userdir"]
      machine_id          = "uninitialized"
      cloud_init_clean {
        seed = false
      }
    }
  }
}
