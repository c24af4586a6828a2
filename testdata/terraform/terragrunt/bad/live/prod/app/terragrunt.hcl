include "root" {
  path = find_in_parent_folders()
}

terraform {
  source = "../../../modules//irsa-app"
}

inputs = {
  service_account = "payments"
}
