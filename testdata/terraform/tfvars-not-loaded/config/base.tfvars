# A Terraspace layer: ERB, rendered before Terraform sees it.
namespace = "<%= expansion(':ENV') %>"
<% if Terraspace.env == "prod" %>
replicas = 3
<% end %>
