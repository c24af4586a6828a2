namespace = "apps"
