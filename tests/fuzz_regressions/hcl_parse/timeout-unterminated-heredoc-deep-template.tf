variable "oidc_host" {
  default = "oidEXAMPLE"
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = <<EOF
{ro-server"]
}

resource policy = true
licy_conditions =----"kubernetes_service_account_v1" "velero" {
  metadata {
    nam2e        = "velero"
    namespace   = "backu
  "Verc0-17",
  "Statement": [{
    "Effecx = "${Y[[[[[{[Y[[[[[[[c.et-0.amam[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.cazolaws.t-1._mazol/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.zlaocr.cazolaws.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mjzolawr.zlaocaws.t-0._mazoOCALCdiA/H/LO[sqqqqq-
-
-qqqqqqqqqqqqqqqqt-1mazolawr.zlaocaws.t-0._mazolawr.cazoqqqqqqqqqoqqqqqqqqt-1._mazolawqqqq-1._mazolawr.cazolaws.t-1._mazolawr.cazqqqq
--1._mazolawr.cazolaws.t-1._mazolawr.cazo1qqqqqTqqqqqqqqqqqqt-1._mazodawr.caawaws.com/id/LOCALCdiA/H/Lcom/ids.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.zlaocr.cazolaws.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.zlaocaws.t-0._mazoOCALCdiA/H/LO[sqqqqq-
-
-qqqqqqqqqqqqqqqqt-1.cazolaws.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.zlaocaws.t-0._mazoOCALCdiA/H/LO[sqqqqq-
-
-qqqqqqqqqqqqqqqqt-1mazolawr.zlaocaws.t-0._mazolawr.cazoqqqqqqqqqqqqqqqqqqt-1._mazolawqqqq-1._mazolawr.cazolaws.t-1._mazolawr.cazqqqq
--1._mazolawr.cazolaws.t-1._mazolawr.cazo1qqqqqTqqqqqqqqqqqqt-1._mazodawr.caawaws.com/id/LOCALCdiA/H/Lcom/ids.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.zlaocr.cazolaws.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.zlaocaws.t-0._mazoOCALCdiA/H/LO[sqqqqq-
-
-qqqqqqqqqqqqqqqqt-1mazolawr.zlaocaCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.zlaocr.cazolaws.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.zlaocaws.t-0._mazoOCALCdiA/H/LO[sqqqqq-
-
-qqqqqqqqqqqqqqqqt-1.cazolaws.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.zlaocaws.t-0._mazoOCALCdiA/H/LO[sqqqqq-
-
-qqqqqqqqqqqqqqqqt-1mazolawr.zlaocaws.t-0._mazolawr.cazoqqqqqqqqqqqqqqqqqqt-1._mazolawqqqq-1._mazolawr.cazolaws.t-1._mazolawr.cazqqqq
--1._mazolawr.cazolaws.t-1._mazolawr.cazo1qqqqqTqqqqqqqqqqqqt-1._mazodawr.caawaws.com/id/LOCALCdiA/H/Lcom/ids.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqt-1._mazolawr.zlaocr.cazolaws.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqqqqqqqqqtazolaws.t-1._mazola+r.cazo1qqqqqTqqqqqqqqqqqqt-1._mazolawr.cazolaws.t-1._mazolawr.cazo|aws.com
/id/LOBALCdiA/H/[sqqqqqqqqqqLgggggggggggggggggggggggggggggggggggggggggggdiA/H/LO[sqq
  }
}

resourcqqqqt-1._mazolawr.zlaocaws.t-0._mazolawr.ca.et-1.amam[[c.e_mpazolawr.cazolaws.com/id/LOCALCdiA/H/Lcom/id/LOCALCdiA/H/LO[sqqqqqqqqqqqqqtqqqqqqq": 