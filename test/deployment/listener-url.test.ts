import { Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { baseProps, newStack } from './deployment-fixtures';
import { ImmutableDeployment } from '../../src';

function dnsOf(stack: Stack, url: string | undefined): unknown {
  return stack.resolve(url);
}

describe('the deployment\'s URL', () => {
  test('its own HTTP load balancer: http://<DNS name>, internal unless internetFacing', () => {
    const { stack, vpc } = newStack();
    const web = new ImmutableDeployment(stack, 'Web', baseProps(vpc));
    expect(dnsOf(stack, web.url)).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [stack.getLogicalId(web.loadBalancer!.node.defaultChild as elbv2.CfnLoadBalancer), 'DNSName'] }]] });
    expect(stack.resolve((web.loadBalancer!.node.defaultChild as elbv2.CfnLoadBalancer).scheme)).toBe('internal');
    const open = new ImmutableDeployment(stack, 'Open', baseProps(vpc, { internetFacing: true }));
    expect(stack.resolve((open.loadBalancer!.node.defaultChild as elbv2.CfnLoadBalancer).scheme)).toBe('internet-facing');
  });

  test('HTTPS with certificates: https://, no port; another port is spelled out', () => {
    const { stack, vpc } = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    const https = new ImmutableDeployment(stack, 'Https', baseProps(vpc, { certificates: [elbv2.ListenerCertificate.fromCertificateManager(certificate)] }));
    expect(JSON.stringify(dnsOf(stack, https.url))).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",\{"Fn::GetAtt":\[".*","DNSName"\]\}\]\]\}$/);
    const odd = new ImmutableDeployment(stack, 'Odd', baseProps(vpc, { listenerPort: 8080 }));
    expect(JSON.stringify(dnsOf(stack, odd.url))).toMatch(/"DNSName"\]\},":8080"\]\]\}$/);
  });

  test('a shared listener of the app: its load balancer; an imported listener: unknown', () => {
    const { stack, vpc } = newStack();
    const first = new ImmutableDeployment(stack, 'First', baseProps(vpc));
    const second = new ImmutableDeployment(stack, 'Second', baseProps(vpc, { listener: first.listener, priority: 10 }));
    expect(dnsOf(stack, second.url)).toEqual(dnsOf(stack, first.url));
    const imported = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Imported', {
      listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/0123456789abcdef',
      securityGroup: first.loadBalancer!.connections.securityGroups[0],
    });
    const third = new ImmutableDeployment(stack, 'Third', baseProps(vpc, { listener: imported, priority: 20 }));
    expect(third.url).toBeUndefined();
  });
});
